# language: no
Egenskap: Sannsynlige duplikater
  Nummeret avgjør. Samme navn under et annet nummer blir et nytt prosjekt,
  og det advares tydelig om det.

  @R13 @R6
  Scenario: Samme navn, ulikt nummer, med SmartDok som master
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn            | status       | fakturamåte |
      | 9000   | Malprosjekt     | Ikke startet | Timer       |
      | 2218   | Nybygg Solsiden | Pågår        | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn            |
      | 2318   | Nybygg Solsiden |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling  | i           | nøkkel | begrunnelse          |
      | opprett   | PowerOffice | 2318   |                      |
      | advarsel  | PowerOffice | 2318   | SANNSYNLIG DUPLIKAT  |

  @R18 @R6
  Scenario: Samme navn, ulikt nummer, med PowerOffice som master
    Gitt at PowerOffice er master
    Og at PowerOffice har prosjektene:
      | nummer | navn            | status | fakturamåte |
      | 2318   | Nybygg Solsiden | Pågår  | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn            |
      | 2218   | Nybygg Solsiden |
    Når grunndatasynken kjøres
    Så finnes prosjektet "2318" nøyaktig én gang i SmartDok
    Og finnes prosjektet "2218" nøyaktig én gang i SmartDok
    Og viser planen:
      | handling | i        | nøkkel | begrunnelse         |
      | advarsel | SmartDok | 2318   | SANNSYNLIG DUPLIKAT |

  @R13
  Scenario: Numre som bare skiller seg med innledende nuller
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
      | 2320   | Lilleby     | Pågår        | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn                        |
      | 02320  | Energirehabilitering Lilleby |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling | nøkkel | begrunnelse                         |
      | advarsel | 02320  | bare med mellomrom eller innledende nuller |
