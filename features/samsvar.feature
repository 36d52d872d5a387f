# language: no
Egenskap: Samsvar mellom SmartDok og PowerOffice («grunndata doctor»)
  Timer fra SmartDok havner bare hos riktig person, på riktig timeart og med riktig
  lønnsart i PowerOffice når ansattnummer (R3), lønnsartnavn (R4) og tilleggskoder (R5)
  stemmer nøyaktig. Sjekken finner hvert avvik første dag, sier hvordan det rettes, og
  viser det planen sier må gjøres for hånd (R12, R16, R17). Den skriver ingenting.

  @R3
  Scenario: Ansattnummer som bare finnes i det ene systemet
    Gitt at SmartDok har brukerne:
      | ansattnummer | navn         |
      | 1001         | Ola Nordmann |
      | 1012         | Sofie Berg   |
    Og at PowerOffice har de ansatte:
      | nummer | fornavn | etternavn |
      | 1001   | Ola     | Nordmann  |
      | 1013   | Anders  | Bakken    |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk        | alvor    | nøkkel | forslag |
      | ansattnummer | feil     | 1012   |         |
      | ansattnummer | advarsel | 1013   |         |
    Og nevner funnet for "1012" "Opprett den ansatte i PowerOffice med ansattnummer 1012"
    Og er ingenting skrevet til noen av systemene

  @R3
  Scenario: Samme ansattnummer, men klart forskjellige navn: timene havner hos feil person
    Gitt at SmartDok har brukerne:
      | ansattnummer | navn         |
      | 1003         | Per Johansen |
      | 1004         | Ingrid Olsen |
    Og at PowerOffice har de ansatte:
      | nummer | fornavn | etternavn |
      | 1003   | Pål     | Jensen    |
      | 1004   | Ingrid  | Olsen     |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk        | alvor | nøkkel | forslag |
      | ansattnummer | feil  | 1003   |         |
    Og nevner funnet for "1003" "timene «Per Johansen» fører, havner hos «Pål Jensen»"

  @R3
  Scenario: Små forskjeller i skrivemåten av et navn er samme person
    Gitt at SmartDok har brukerne:
      | ansattnummer | navn               |
      | 1001         | Ola Johan Nordmann |
      | 1002         | Kari Hanssen       |
      | 1003         | Paal Jensen        |
      | 1004         | O. Olsen           |
    Og at PowerOffice har de ansatte:
      | nummer | fornavn | etternavn |
      | 1001   | Ola     | Nordmann  |
      | 1002   | Kari    | Hansen    |
      | 1003   | Pål     | Jensen    |
      | 1004   | Ole     | Olsen     |
    Når samsvaret sjekkes
    Så finner sjekken ingenting

  @R3
  Scenario: Ett ansattnummer brukt to ganger
    Gitt at SmartDok har brukerne:
      | ansattnummer | navn         |
      | 1001         | Ola Nordmann |
      | 1001         | Kari Hansen  |
    Og at PowerOffice har de ansatte:
      | nummer | fornavn | etternavn |
      | 1001   | Ola     | Nordmann  |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk        | alvor | nøkkel | forslag |
      | ansattnummer | feil  | 1001   |         |
    Og nevner funnet for "1001" "brukes av 2 brukere i SmartDok"

  @R3
  Scenario: Innledende null eller mellomrom i ansattnummeret: rettingen foreslås, og avviket vises én gang
    Gitt at SmartDok har brukerne:
      | ansattnummer | navn         |
      | 01001        | Ola Nordmann |
      | 1002␣        | Kari Hansen  |
    Og at PowerOffice har de ansatte:
      | nummer | fornavn | etternavn |
      | 1001   | Ola     | Nordmann  |
      | 1002   | Kari    | Hansen    |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk        | alvor | nøkkel | forslag                                    |
      | ansattnummer | feil  | 01001  | rett ansattnummeret i SmartDok fra «01001» til «1001» |
      | ansattnummer | feil  | 1002␣  | til «1002»                                 |

  @R3
  Scenario: Avsluttede brukere og arkiverte ansatte sjekkes ikke
    Gitt at SmartDok har brukerne:
      | ansattnummer | navn         | avsluttet |
      | 1001         | Ola Nordmann | nei       |
      | 1005         | Lars Larsen  | ja        |
    Og at PowerOffice har de ansatte:
      | nummer | fornavn | etternavn | arkivert |
      | 1001   | Ola     | Nordmann  | nei      |
      | 1009   | Emil    | Kristiansen | ja     |
    Når samsvaret sjekkes
    Så finner sjekken ingenting

  @R3
  Scenario: Konsulenten gjør ansatte som mangler i SmartDok til feil i regelfilen
    Gitt at regelfilen "kunde.yaml" inneholder:
      """
      doctor:
        employees:
          severity:
            missing_in_smartdok: error
      """
    Og at PowerOffice har de ansatte:
      | nummer | fornavn | etternavn |
      | 1013   | Anders  | Bakken    |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk        | alvor | nøkkel | forslag |
      | ansattnummer | feil  | 1013   |         |

  @R4
  Scenario: Lønnsart uten timeart med nøyaktig samme navn får det nærmeste navnet som forslag
    Gitt at SmartDok har lønnsartene:
      | nummer | navn          |
      | 1      | Ordinær time  |
      | 2      | Overtid 50%   |
      | 3      | overtid 100%  |
      | 4      | Reisetid␣     |
      | 5      | Ordinaer  kveld |
      | 6      | Helligdag     |
    Og at PowerOffice har timeartene:
      | kode | navn          |
      | T1   | Ordinær time  |
      | T2   | Overtid 50 %  |
      | T3   | Overtid 100%  |
      | T4   | Reisetid      |
      | T5   | Ordinær kveld |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk    | alvor | nøkkel          | forslag         |
      | lønnsart | feil  | Overtid 50%     | «Overtid 50 %»  |
      | lønnsart | feil  | overtid 100%    | «Overtid 100%»  |
      | lønnsart | feil  | Reisetid␣       | «Reisetid»      |
      | lønnsart | feil  | Ordinaer  kveld | «Ordinær kveld» |
      | lønnsart | feil  | Helligdag       |                 |
    Og nevner funnet for "Helligdag" "Opprett timearten «Helligdag» i PowerOffice"

  @R4
  Scenario: Timearter uten lønnsart, og inaktive lønnsarter, er i orden
    Gitt at SmartDok har lønnsartene:
      | nummer | navn            | aktiv |
      | 1      | Ordinær time    | ja    |
      | 9      | Gammel lønnsart | nei   |
    Og at PowerOffice har timeartene:
      | kode | navn         |
      | T1   | Ordinær time |
      | T2   | Overtid 50 % |
      | T9   | Sykefravær   |
    Når samsvaret sjekkes
    Så finner sjekken ingenting

  @R4
  Scenario: Timearten finnes, men er inaktiv i PowerOffice
    Gitt at SmartDok har lønnsartene:
      | nummer | navn     |
      | 4      | Reisetid |
    Og at PowerOffice har timeartene:
      | kode | navn     | aktiv |
      | T4   | Reisetid | nei   |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk    | alvor | nøkkel   | forslag                |
      | lønnsart | feil  | Reisetid | Aktiver timearten      |

  @R5
  Scenario: Tillegg uten lønnsart med nøyaktig samme kode får koden som forslag
    Gitt at SmartDok har tilleggene:
      | kode  | navn              | type          |
      | 210   | Smusstillegg      | tillegg       |
      | 0230  | Høydetillegg      | tillegg       |
      | 2 50  | Kost              | enhetstillegg |
      | 260   | Verktøygodtgjørelse | enhetstillegg |
      | 310   | Bastillegg        | tillegg       |
    Og at PowerOffice har lønnsartene:
      | kode | navn                |
      | 210  | Smusstillegg        |
      | 230  | Høydetillegg        |
      | 250  | Kost                |
      | 265  | Verktøygodtgjørelse |
      | 100  | Fastlønn            |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk   | alvor | nøkkel | forslag                                       |
      | tillegg | feil  | 0230   | endre koden på tillegget i SmartDok til «230» |
      | tillegg | feil  | 2 50   | endre koden på enhetstillegget i SmartDok til «250» |
      | tillegg | feil  | 260    | med kode «265»                                |
      | tillegg | feil  | 310    |                                               |

  @R5
  Scenario: Flere lønnsarter i PowerOffice enn tillegg i SmartDok er i orden
    Gitt at SmartDok har tilleggene:
      | kode | navn         | type    | aktiv |
      | 210  | Smusstillegg | tillegg | ja    |
      | 999  | Gammelt      | tillegg | nei   |
    Og at PowerOffice har lønnsartene:
      | kode | navn         |
      | 210  | Smusstillegg |
      | 100  | Fastlønn     |
      | 220  | Kjøregodtgjørelse |
    Når samsvaret sjekkes
    Så finner sjekken ingenting

  @R12
  Scenario: Manuelt arbeid: en aktivitet som bare finnes i PowerOffice, må legges inn i SmartDok
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at PowerOffice har aktivitetene:
      | kode | navn            |
      | 200  | Prosjektledelse |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk    | alvor    | nøkkel | forslag                                      |
      | manuelt  | advarsel | 200    | Legg inn 200 «Prosjektledelse» for hånd i SmartDok |
    Og nevner funnet for "200" "må legges inn manuelt i SmartDok (R12)"

  @R16
  Scenario: Manuelt arbeid: en aktivitet som bare finnes i SmartDok, må legges inn i PowerOffice
    Gitt at PowerOffice er master
    Og at SmartDok har aktivitetene:
      | nummer | navn     |
      | 190    | Reisetid |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk   | alvor    | nøkkel | forslag                       |
      | manuelt | advarsel | 190    | for hånd i PowerOffice        |
    Og nevner funnet for "190" "(R16)"

  @R17
  Scenario: Prosjekt opprettet i SmartDok når PowerOffice er master er en feil til det er lagt inn for hånd
    Gitt at PowerOffice er master
    Og at SmartDok har prosjektene:
      | nummer | navn     |
      | 2330   | Ny hall  |
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk   | alvor | nøkkel | forslag                              |
      | manuelt | feil  | 2330   | Legg inn 2330 «Ny hall» for hånd i PowerOffice |
    Og nevner funnet for "2330" "(R17)"

  @R3 @R4 @R5 @R12
  Scenario: Demo-verdenen: hvert bevisste avvik og ingenting annet
    Gitt at begge systemene er som i demo-verdenen
    Og at SmartDok er master med standardprosjekt "9000"
    Når samsvaret sjekkes
    Så finner sjekken:
      | sjekk        | alvor    | nøkkel      | forslag                            |
      | ansattnummer | feil     | 1012        |                                    |
      | ansattnummer | advarsel | 1013        |                                    |
      | ansattnummer | feil     | 1003        |                                    |
      | lønnsart     | feil     | Overtid 50% | «Overtid 50 %»                     |
      | tillegg      | feil     | 0230        | «230»                              |
      | manuelt      | advarsel | 200         | «Prosjektledelse» for hånd i SmartDok |
    Og er ingenting skrevet til noen av systemene
