# language: no
Egenskap: Maskiner blir produkter
  Med SmartDok som master opprettes maskinene som produkter i PowerOffice,
  slik at maskintimer kan faktureres.

  @R10
  Scenario: Maskiner fra SmartDok opprettes som produkter
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har maskinene:
      | internnummer | navn                | timepris |
      | M01          | Gravemaskin Cat 320 | 950      |
    Og at PowerOffice har produktene:
      | kode | navn             | pris |
      | M02  | Hjullaster Volvo | 800  |
    Når grunndatasynken kjøres
    Så finnes produktet "M01" i PowerOffice med navn "Gravemaskin Cat 320" og pris 950
    Og finnes produktet "M02" i PowerOffice med navn "Hjullaster Volvo" og pris 800

  @R10 @R19
  Scenario: Endret timepris i SmartDok oppdaterer produktet
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har maskinene:
      | internnummer | navn             | timepris |
      | M02          | Hjullaster Volvo | 850      |
    Og at PowerOffice har produktene:
      | kode | navn             | pris |
      | M02  | Hjullaster Volvo | 800  |
    Når grunndatasynken kjøres
    Så finnes produktet "M02" i PowerOffice med navn "Hjullaster Volvo" og pris 850
