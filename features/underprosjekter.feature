# language: no
Egenskap: Underprosjekter
  Underprosjekter følger hovedprosjektet sitt. I PowerOffice vises koden som
  «hovedprosjekt.underprosjekt», for eksempel 2302.1.

  @R8
  Scenario: Underprosjekter fra SmartDok havner under hovedprosjektet i PowerOffice
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn              |
      | 2302   | Ny barnehage Lade |
    Og at SmartDok har underprosjektene:
      | prosjekt | nummer | navn        |
      | 2302     | 1      | Grunnarbeid |
      | 2302     | 2      | Råbygg      |
    Når grunndatasynken kjøres
    Så gikk alle skrivinger bra
    Og finnes prosjektet "2302.1" i PowerOffice med:
      | felt          | verdi       |
      | navn          | Grunnarbeid |
      | hovedprosjekt | 2302        |
    Og finnes prosjektet "2302.2" nøyaktig én gang i PowerOffice

  @R8
  Scenario: Underprosjekt uten hovedprosjekt i mottakersystemet hoppes over med begrunnelse
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn        | aktiv |
      | 2312   | Vedlikehold | nei   |
    Og at SmartDok har underprosjektene:
      | prosjekt | nummer | navn     |
      | 2312     | 1      | Tak      |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling  | hva           | nøkkel | begrunnelse                  |
      | hopp over | prosjekt      | 2312   | inaktiv                      |
      | hopp over | underprosjekt | 2312.1 | hovedprosjektet 2312 finnes ikke |

  @R14 @R8
  Scenario: Underprosjekter fra PowerOffice havner under hovedprosjektet i SmartDok
    Gitt at PowerOffice er master
    Og at PowerOffice har prosjektene:
      | nummer | navn               | status | fakturamåte | hovedprosjekt |
      | 2401   | Fasade Nordre gate | Pågår  | Timer       |               |
      | 1      | Stillas og rigg    | Pågår  | Timer       | 2401          |
    Når grunndatasynken kjøres
    Så gikk alle skrivinger bra
    Og finnes underprosjektet "1" under prosjektet "2401" i SmartDok
