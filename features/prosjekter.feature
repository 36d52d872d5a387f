# language: no
Egenskap: Prosjekter
  Prosjekter matches på prosjektnummer, aldri på navn. Mastersystemet oppretter,
  endrer og avslutter; mottakersystemet følger etter.

  @R8 @R9
  Scenario: Prosjekt fra SmartDok opprettes i PowerOffice med Pågår og arv fra standardprosjektet
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte | kunde | prosjektleder |
      | 9000   | Malprosjekt | Ikke startet | Timer       | 501   | 901           |
    Og at SmartDok har prosjektene:
      | nummer | navn                   |
      | 2302   | Ny barnehage Lade      |
    Når grunndatasynken kjøres
    Så gikk alle skrivinger bra
    Og finnes prosjektet "2302" i PowerOffice med:
      | felt          | verdi             |
      | navn          | Ny barnehage Lade |
      | status        | Pågår             |
      | fakturamåte   | Timer             |
      | kunde         | 501               |
      | prosjektleder | 901               |

  @R6 @R19
  Scenario: Avvikende navn i PowerOffice overskrives av SmartDok
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn            | status       | fakturamåte |
      | 9000   | Malprosjekt     | Ikke startet | Timer       |
      | 2302   | Barnehage Lade  | Pågår        | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn              |
      | 2302   | Ny barnehage Lade |
    Når grunndatasynken planlegges
    Så viser planen at navnet på "2302" endres fra "Barnehage Lade" til "Ny barnehage Lade"
    Og har planen ingen opprett-handling for "2302"

  @R19
  Scenario: Med PowerOffice som master overskrives prosjektdetaljer i SmartDok
    Gitt at PowerOffice er master
    Og at PowerOffice har prosjektene:
      | nummer | navn               | status | fakturamåte |
      | 2401   | Fasade Nordre gate | Pågår  | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn          |
      | 2401   | Fasade N. gt  |
    Når grunndatasynken kjøres
    Så heter prosjektet "2401" "Fasade Nordre gate" i SmartDok

  @R20
  Scenario: Prosjekt avsluttet i SmartDok avsluttes i PowerOffice
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn            | status       | fakturamåte |
      | 9000   | Malprosjekt     | Ikke startet | Timer       |
      | 2310   | Riving Lademoen | Pågår        | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn            | avsluttet |
      | 2310   | Riving Lademoen | ja        |
    Når grunndatasynken kjøres
    Så finnes prosjektet "2310" i PowerOffice med:
      | felt   | verdi     |
      | status | Avsluttet |

  @R20
  Scenario: Prosjekt avsluttet i PowerOffice avsluttes i SmartDok
    Gitt at PowerOffice er master
    Og at PowerOffice har prosjektene:
      | nummer | navn            | status    | fakturamåte |
      | 2310   | Riving Lademoen | Avsluttet | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn            |
      | 2310   | Riving Lademoen |
    Når grunndatasynken kjøres
    Så er prosjektet "2310" avsluttet i SmartDok

  @R14
  Scenario: Med PowerOffice som master opprettes bare prosjekter med Pågår og Timer
    Gitt at PowerOffice er master
    Og at PowerOffice har prosjektene:
      | nummer | navn                   | status    | fakturamåte        |
      | 2401   | Fasade Nordre gate     | Pågår     | Timer              |
      | 2402   | Kaianlegg              | Pågår     | Fastpris           |
      | 2403   | Forprosjekt brannstasjon | Foreløpig | Timer            |
      | 2404   | Bru over Nidelva       | Pågår     | Timer og kostnader |
    Når grunndatasynken kjøres
    Så finnes prosjektet "2401" nøyaktig én gang i SmartDok
    Og finnes ikke prosjektet "2402" i SmartDok
    Og finnes ikke prosjektet "2403" i SmartDok
    Og finnes ikke prosjektet "2404" i SmartDok
    Og viser planen:
      | handling  | nøkkel | begrunnelse                          |
      | hopp over | 2402   | fakturamåte er «Fastpris»         |
      | hopp over | 2403   | status er «Foreløpig»                |
      | hopp over | 2404   | fakturamåte er «Timer og kostnader» |

  @R14
  Scenario: Konsulenten tar med Timer og kostnader i filteret
    Gitt at PowerOffice er master
    Og at regelfilen "kunde.yaml" inneholder:
      """
      projects:
        poweroffice_master:
          filter:
            billing_method: [Timer, Timer og kostnader]
      """
    Og at PowerOffice har prosjektene:
      | nummer | navn             | status | fakturamåte        |
      | 2404   | Bru over Nidelva | Pågår  | Timer og kostnader |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling | i        | nøkkel |
      | opprett  | SmartDok | 2404   |

  @R17
  Scenario: Prosjekt opprettet i SmartDok mens PowerOffice er master må opprettes manuelt i PowerOffice
    Gitt at PowerOffice er master
    Og at SmartDok har prosjektene:
      | nummer | navn                |
      | 2399   | Hasteoppdrag Moholt |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling | i           | nøkkel | begrunnelse                        |
      | manuelt  | PowerOffice | 2399   | må legges inn manuelt i PowerOffice |
    Og har planen ingen endringer

  @R6 @R8
  Scenario: Mellomrom etter prosjektnummeret i SmartDok gir ikke nytt prosjekt
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn                  | status       | fakturamåte |
      | 9000   | Malprosjekt           | Ikke startet | Timer       |
      | 2315   | Parkeringshus Sluppen | Pågår        | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn                  |
      | 2315␣  | Parkeringshus Sluppen |
    Når grunndatasynken kjøres
    Så finnes prosjektet "2315" nøyaktig én gang i PowerOffice

  @R8 @R19
  Scenario: To kjøringer etter hverandre gir ingen nye endringer
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn              |
      | 2302   | Ny barnehage Lade |
      | 2303   | Omsorgsboliger    |
    Når grunndatasynken kjøres
    Og grunndatasynken planlegges
    Så har planen ingen endringer
