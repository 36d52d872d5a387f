# language: no
Egenskap: Mastersystem
  Kunden velger hvilket system som er master for prosjekter og aktiviteter.
  Mastersystemet er der prosjekter opprettes, endres og avsluttes; det andre systemet følger etter.

  @R1
  Scenario: PowerOffice er mastersystem når ingenting er valgt
    Gitt at mastersystem ikke er valgt
    Og at PowerOffice har prosjektene:
      | nummer | navn               | status | fakturamåte |
      | 2401   | Fasade Nordre gate | Pågår  | Timer       |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling | i        | nøkkel |
      | opprett  | SmartDok | 2401   |

  @R1 @R2
  Scenario: Med SmartDok som master går prosjektene motsatt vei
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn             | status       | fakturamåte |
      | 9000   | Malprosjekt      | Ikke startet | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn              |
      | 2301   | Kirkegata 12      |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling | i           | nøkkel |
      | opprett  | PowerOffice | 2301   |
    Og har planen ingen handling for "9000"

  @R2
  Scenario: Planen skriver ingenting, og hver linje forklarer seg selv
    Gitt at PowerOffice er master
    Og at PowerOffice har prosjektene:
      | nummer | navn               | status | fakturamåte |
      | 2401   | Fasade Nordre gate | Pågår  | Timer       |
      | 2402   | Kaia               | Pågår  | Fastpris    |
    Og at SmartDok har prosjektene:
      | nummer | navn       |
      | 2399   | Eget bygg  |
    Når grunndatasynken planlegges
    Så er ingenting skrevet til noen av systemene
    Og har hver handling en begrunnelse og en regel med fil og linje
