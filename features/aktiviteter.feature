# language: no
Egenskap: Aktiviteter
  Aktiviteter matches på kode/nummer. Mastersystemet oppretter dem i det andre
  systemet; aktiviteter som bare finnes i det andre systemet må legges inn for hånd.

  @R11
  Scenario: Aktiviteter fra SmartDok opprettes som fakturerbare i PowerOffice
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har aktivitetene:
      | nummer | navn         |
      | 130    | Betongarbeid |
    Når grunndatasynken kjøres
    Så er aktiviteten "130" "Fakturerbar" i PowerOffice

  @R11
  Scenario: En aktivitet brukeren har satt til Ikke fakturerbar forblir det
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har aktivitetene:
      | nummer | navn          |
      | 150    | Rigg og drift |
    Når grunndatasynken kjøres
    Og en bruker i PowerOffice endrer aktiviteten "150" slik at typen er "Ikke fakturerbar"
    Og grunndatasynken kjøres
    Så er aktiviteten "150" "Ikke fakturerbar" i PowerOffice
    Og finnes aktiviteten "150" nøyaktig én gang i PowerOffice

  @R11
  Scenario: Konsulenten endrer standard aktivitetstype i regelfilen
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at regelfilen "kunde.yaml" inneholder:
      """
      activities:
        smartdok_master:
          create:
            defaults:
              billable: Ikke fakturerbar
      """
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har aktivitetene:
      | nummer | navn     |
      | 180    | HMS-kurs |
    Når grunndatasynken planlegges
    Så oppretter planen "180" med type "Ikke fakturerbar"
    Og peker regelen for "180" på "kunde.yaml"

  @R12
  Scenario: Aktivitet som bare finnes i PowerOffice må legges inn manuelt i SmartDok
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at PowerOffice har aktivitetene:
      | kode | navn            |
      | 200  | Prosjektledelse |
    Når grunndatasynken kjøres
    Så viser planen:
      | handling | i        | nøkkel | begrunnelse                     |
      | manuelt  | SmartDok | 200    | må legges inn manuelt i SmartDok |
    Og finnes ikke aktiviteten "200" i SmartDok

  @R15
  Scenario: Aktiviteter fra PowerOffice opprettes i SmartDok
    Gitt at PowerOffice er master
    Og at PowerOffice har aktivitetene:
      | kode | navn            |
      | 200  | Prosjektledelse |
    Når grunndatasynken kjøres
    Så finnes aktiviteten "200" nøyaktig én gang i SmartDok

  @R16
  Scenario: Aktivitet som bare finnes i SmartDok må legges inn manuelt i PowerOffice
    Gitt at PowerOffice er master
    Og at SmartDok har aktivitetene:
      | nummer | navn     |
      | 190    | Reisetid |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling | i           | nøkkel | begrunnelse                        |
      | manuelt  | PowerOffice | 190    | må legges inn manuelt i PowerOffice |
    Og har planen ingen endringer
