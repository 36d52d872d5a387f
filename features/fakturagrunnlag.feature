# language: no
Egenskap: Fakturagrunnlag blir ordreutkast i PowerOffice nøyaktig én gang
  Prosjektlederen lager fakturagrunnlaget i SmartDok: timer, maskintimer, varer og tillegg med
  priser. Et ferdig fakturagrunnlag blir ett ordreutkast (salgsordre) i PowerOffice på prosjektets
  kunde og prosjekt, én ordrelinje per fakturalinje, slik at regnskap bare sjekker og sender
  fakturaen (R24). Ordren og hver linje får en referanse laget av fakturagrunnlagets og linjens
  id, så ingenting sendes to ganger. Det som ikke kan bli riktig ordre holdes tilbake med
  grunnen og et forslag (R26); en endring etterpå rettes bare mens ordren er et utkast (R27).

  Bakgrunn:
    Gitt at prosjektene, kundene og produktene stemmer overens i begge systemer

  @R24
  Scenario: Et ferdig fakturagrunnlag blir ett ordreutkast med én linje per fakturalinje, én gang
    Gitt at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde | utkast | kreditert |
      | 70001 | 4001     | 20001 | nei    | nei       |
      | 70002 | 4002     | 20002 | ja     | nei       |
      | 70003 | 4003     | 20003 | nei    | ja        |
    Og at fakturagrunnlag "70001" har linjene:
      | linje | type         | kode | tekst     | antall | pris |
      | 1     | WorkHours    | 100  | Graving   | 37,5   | 850  |
      | 2     | MachineHours | M01  | Gravemaskin | 12   | 950  |
    Når faktureringen for november 2026 kjøres
    Så har PowerOffice ordreutkastet "smartdok-invoice-70001" på prosjekt "4001" for kunde "20001" datert "2026-11-30"
    Og har ordren "smartdok-invoice-70001" linjene:
      | referanse                | produkt | beskrivelse | antall | pris |
      | smartdok-invoice-70001-1 | T-100   | Graving     | 37,5   | 850  |
      | smartdok-invoice-70001-2 | M01     | Gravemaskin | 12     | 950  |
    Og har PowerOffice ingen ordre med referanse "smartdok-invoice-70002"
    Og har PowerOffice ingen ordre med referanse "smartdok-invoice-70003"
    Når faktureringen for november 2026 kjøres
    Så ble ingenting skrevet i PowerOffice
    Og har PowerOffice nøyaktig 1 ordre med referanse "smartdok-invoice-70001"

  @R24
  Scenario: Ett underprosjekt gir ordren underprosjektets kode, flere gir hver linje sin
    Gitt at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde | underprosjekter |
      | 70011 | 4001     | 20001 | 4001.1          |
      | 70012 | 4002     | 20002 |                 |
    Og at fakturagrunnlag "70011" har linjene:
      | linje | type      | kode | tekst   | antall | pris | underprosjekt |
      | 11    | WorkHours | 100  | Graving | 8      | 850  | 4001.1        |
    Og at fakturagrunnlag "70012" har linjene:
      | linje | type      | kode | tekst      | antall | pris | underprosjekt |
      | 21    | WorkHours | 100  | Graving    | 8      | 850  | 4002.1        |
      | 22    | WorkHours | 110  | Forskaling | 4      | 820  |               |
    Når faktureringen for november 2026 kjøres
    Så har PowerOffice ordreutkastet "smartdok-invoice-70011" på prosjekt "4001.1" for kunde "20001" datert "2026-11-30"
    Og har PowerOffice ordreutkastet "smartdok-invoice-70012" på prosjekt "4002" for kunde "20002" datert "2026-11-30"
    Og har ordren "smartdok-invoice-70012" linjene:
      | referanse                 | produkt | prosjekt |
      | smartdok-invoice-70012-21 | T-100   | 4002.1   |
      | smartdok-invoice-70012-22 | T-110   | 4002     |

  @R25
  Scenario: Maskiner, varer og timer på en aktivitet med produkt får produktet, resten bare beskrivelsen
    Gitt at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70021 | 4001     | 20001 |
    Og at fakturagrunnlag "70021" har linjene:
      | linje | type             | kode | tekst          | antall | pris | rabatt |
      | 1     | MachineHours     | M02  | Hjullaster     | 6      | 900  | 0      |
      | 2     | GoodsConsumption | V-1  | Vare 1         | 10     | 110  | 5      |
      | 3     | WorkHours        | 100  | Graving        | 7,5    | 850  | 0      |
      | 4     | WorkHours        | 150  | Rigg og drift  | 2      | 600  | 0      |
      | 5     | Additions        | 210  | Smusstillegg   | 3      | 55   | 0      |
    Når faktureringen for november 2026 kjøres
    Så har ordren "smartdok-invoice-70021" linjene:
      | referanse                | produkt | beskrivelse   | antall | pris | rabatt |
      | smartdok-invoice-70021-1 | M02     | Hjullaster    | 6      | 900  | 0      |
      | smartdok-invoice-70021-2 | V-1     | Vare 1        | 10     | 110  | 5      |
      | smartdok-invoice-70021-3 | T-100   | Graving       | 7,5    | 850  | 0      |
      | smartdok-invoice-70021-4 |         | Rigg og drift | 2      | 600  | 0      |
      | smartdok-invoice-70021-5 |         | Smusstillegg  | 3      | 55   | 0      |

  @R25
  Scenario: Linjetyper, reserveregelen og prisen er regler
    Gitt at regelfilen "kunde.yaml" inneholder:
      """
      invoice:
        line_types:
          MachineHours: none
        fallback: [goods]
        price:
          from: [product, line]
      """
    Og at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70031 | 4001     | 20001 |
    Og at fakturagrunnlag "70031" har linjene:
      | linje | type         | kode | tekst        | antall | pris |
      | 1     | MachineHours | M01  | Gravemaskin  | 2      | 999  |
      | 2     | Ukjent       | V-2  | Noe fra lager | 3     | 1    |
    Når faktureringen for november 2026 kjøres
    Så har ordren "smartdok-invoice-70031" linjene:
      | referanse                | produkt | pris |
      | smartdok-invoice-70031-1 |         | 999  |
      | smartdok-invoice-70031-2 | V-2     | 120  |

  @R26
  Scenario: Det som ikke kan bli riktig ordre holdes tilbake med grunnen og et forslag, resten sendes
    Gitt at PowerOffice mangler produktet "V-5"
    Og at prosjekt "4003" ikke er aktivt i PowerOffice
    Og at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70041 | 4001     | 20002 |
      | 70042 | 4002     | 20002 |
      | 70043 | 4003     | 20003 |
      | 70044 | 4001     | 20001 |
    Og at fakturagrunnlag "70041" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 411   | WorkHours | 100  | Graving | 1      | 850  |
    Og at fakturagrunnlag "70042" har linjene:
      | linje | type             | kode | tekst  | antall | pris |
      | 421   | GoodsConsumption | V-5  | Vare 5 | 1      | 150  |
    Og at fakturagrunnlag "70043" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 431   | WorkHours | 100  | Graving | 1      | 850  |
    Og at fakturagrunnlag "70044" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 441   | WorkHours | 100  | Graving | 1      | 850  |
    Når faktureringen for november 2026 kjøres
    Så viser faktureringen:
      | handling     | nøkkel                 | begrunnelsen inneholder                                                             | forslaget inneholder |
      | hold tilbake | smartdok-invoice-70041 | Kunden i SmartDok (20002) er ikke kunden på prosjekt 4001 i PowerOffice (20001) … Customer connected to project is not the same as the customer stated in the API | Gi prosjektet kunde 20001 i SmartDok |
      | hold tilbake | smartdok-invoice-70042 | Produkt V-5 (vare) finnes ikke i PowerOffice                                        | Opprett produkt V-5 i PowerOffice |
      | hold tilbake | smartdok-invoice-70043 | Prosjekt 4003 er ikke aktivt i PowerOffice                                          | Aktiver prosjekt 4003 |
      | send         | smartdok-invoice-70044 | ikke overført ennå                                                                  |                      |
    Og har PowerOffice nøyaktig 1 ordre med referanse "smartdok-invoice-70044"
    Og har PowerOffice ingen ordre med referanse "smartdok-invoice-70041"

  @R26
  Scenario: Et prosjekt som mangler i PowerOffice holder fakturagrunnlaget tilbake
    Gitt at PowerOffice mangler prosjekt "4002"
    Og at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70051 | 4002     | 20002 |
    Og at fakturagrunnlag "70051" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 1     | WorkHours | 100  | Graving | 1      | 850  |
    Når faktureringen for november 2026 kjøres
    Så viser faktureringen:
      | handling     | nøkkel                 | begrunnelsen inneholder                    | forslaget inneholder |
      | hold tilbake | smartdok-invoice-70051 | Prosjekt 4002 finnes ikke i PowerOffice    | grunndata apply      |
    Og ble ingenting skrevet i PowerOffice

  @R27
  Scenario: Et fakturagrunnlag endret mens ordren er et utkast rettes linje for linje
    Gitt at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70061 | 4001     | 20001 |
    Og at fakturagrunnlag "70061" har linjene:
      | linje | type         | kode | tekst       | antall | pris |
      | 1     | WorkHours    | 100  | Graving     | 10     | 850  |
      | 2     | MachineHours | M01  | Gravemaskin | 4      | 950  |
    Når faktureringen for november 2026 kjøres
    Og linje "1" i fakturagrunnlag "70061" endres i SmartDok slik at antallet er "12"
    Og linje "2" fjernes fra fakturagrunnlag "70061" i SmartDok
    Og fakturagrunnlag "70061" får linjene i SmartDok:
      | linje | type             | kode | tekst  | antall | pris |
      | 3     | GoodsConsumption | V-1  | Vare 1 | 5      | 110  |
    Og faktureringen for november 2026 kjøres
    Så viser faktureringen:
      | handling | nøkkel                 | begrunnelsen inneholder          | endringer                                     |
      | rett     | smartdok-invoice-70061 | fortsatt et utkast i PowerOffice | rett linje 1, fjern linje 2, legg til linje 3 |
    Og har ordren "smartdok-invoice-70061" linjene:
      | referanse                | produkt | antall |
      | smartdok-invoice-70061-1 | T-100   | 12     |
      | smartdok-invoice-70061-3 | V-1     | 5      |
    Og har PowerOffice nøyaktig 1 ordre med referanse "smartdok-invoice-70061"

  @R27
  Scenario: Etter at ordren er bekreftet, rapporteres en endring for en person og ordren røres ikke
    Gitt at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70071 | 4001     | 20001 |
    Og at fakturagrunnlag "70071" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 1     | WorkHours | 100  | Graving | 10     | 850  |
    Når faktureringen for november 2026 kjøres
    Og ordren "smartdok-invoice-70071" bekreftes i PowerOffice
    Og linje "1" i fakturagrunnlag "70071" endres i SmartDok slik at antallet er "12"
    Og faktureringen for november 2026 kjøres
    Så viser faktureringen:
      | handling  | nøkkel                 | begrunnelsen inneholder                     |
      | rapporter | smartdok-invoice-70071 | er Confirmed i PowerOffice og røres ikke    |
    Og ble ingenting skrevet i PowerOffice

  @R27
  Scenario: Et kreditert fakturagrunnlag rapporteres, ordren slettes aldri
    Gitt at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70081 | 4001     | 20001 |
    Og at fakturagrunnlag "70081" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 1     | WorkHours | 100  | Graving | 10     | 850  |
    Når faktureringen for november 2026 kjøres
    Og fakturagrunnlag "70081" krediteres i SmartDok
    Og faktureringen for november 2026 kjøres
    Så viser faktureringen:
      | handling  | nøkkel                 | begrunnelsen inneholder                       |
      | rapporter | smartdok-invoice-70081 | kreditert i SmartDok … lag en kreditnota for hånd |
    Og ble ingenting skrevet i PowerOffice
    Og har PowerOffice nøyaktig 1 ordre med referanse "smartdok-invoice-70081"

  @R24 @R27
  Scenario: En ordre som er blitt faktura, sendes aldri igjen, og en senere endring rapporteres
    Gitt at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70091 | 4001     | 20001 |
    Og at fakturagrunnlag "70091" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 1     | WorkHours | 100  | Graving | 10     | 850  |
    Når faktureringen for november 2026 kjøres
    Og ordren "smartdok-invoice-70091" faktureres i PowerOffice
    Og faktureringen for november 2026 kjøres
    Så ble ingenting skrevet i PowerOffice
    Når linje "1" i fakturagrunnlag "70091" endres i SmartDok slik at antallet er "12"
    Og faktureringen for november 2026 kjøres
    Så viser faktureringen:
      | handling  | nøkkel                 | begrunnelsen inneholder                                    |
      | rapporter | smartdok-invoice-70091 | etter at ordren ble fakturert … Endringen overføres ikke |
    Og ble ingenting skrevet i PowerOffice
    Og har PowerOffice ingen ordre med referanse "smartdok-invoice-70091"

  @R24
  Scenario: Et svar som går tapt, slås opp på referansen før noe sendes på nytt
    Gitt at SmartDok har fakturagrunnlagene:
      | id    | prosjekt | kunde |
      | 70101 | 4001     | 20001 |
      | 70102 | 4002     | 20002 |
    Og at fakturagrunnlag "70101" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 1011  | WorkHours | 100  | Graving | 10     | 850  |
    Og at fakturagrunnlag "70102" har linjene:
      | linje | type      | kode | tekst   | antall | pris |
      | 1021  | WorkHours | 100  | Graving | 4      | 850  |
    Når svaret fra PowerOffice går tapt for de neste 2 ordrene
    Og faktureringen for november 2026 kjøres
    Så ble 2 ordre funnet igjen uten å sendes på nytt
    Og har PowerOffice nøyaktig 1 ordre med referanse "smartdok-invoice-70101"
    Og har PowerOffice nøyaktig 1 ordre med referanse "smartdok-invoice-70102"
