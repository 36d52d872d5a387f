# language: no
Egenskap: Standardprosjekt
  Med SmartDok som master må et standardprosjekt være valgt. Det må finnes i
  PowerOffice og ha fakturamåte Timer eller Timer og kostnader.

  @R7
  Scenario: Standardprosjektet finnes ikke i PowerOffice
    Gitt at SmartDok er master med standardprosjekt "9999"
    Og at SmartDok har prosjektene:
      | nummer | navn              |
      | 2302   | Ny barnehage Lade |
    Når grunndatasynken kjøres
    Så stoppes kjøringen før noe skrives, med beskjed om "standardprosjektet 9999 finnes ikke i PowerOffice"

  @R7
  Scenario: Standardprosjektet mangler fakturamåte
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet |             |
    Og at SmartDok har prosjektene:
      | nummer | navn              |
      | 2302   | Ny barnehage Lade |
    Når grunndatasynken kjøres
    Så stoppes kjøringen før noe skrives, med beskjed om "fakturamåte på standardprosjektet 9000 er «ikke satt»"

  @R7 @R9
  Scenario: Fakturamåte arves fra standardprosjektet
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte        |
      | 9000   | Malprosjekt | Ikke startet | Timer og kostnader |
    Og at SmartDok har prosjektene:
      | nummer | navn              |
      | 2302   | Ny barnehage Lade |
    Når grunndatasynken planlegges
    Så oppretter planen "2302" med fakturamåte "Timer og kostnader"
    Og oppretter planen "2302" med status "Pågår"

  @R9
  Scenario: Konsulenten lar regelens standardverdi vinne over arven
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at regelfilen "kunde.yaml" inneholder:
      """
      projects:
        smartdok_master:
          create:
            precedence: [set, defaults, inherit]
      """
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte        |
      | 9000   | Malprosjekt | Ikke startet | Timer og kostnader |
    Og at SmartDok har prosjektene:
      | nummer | navn              |
      | 2302   | Ny barnehage Lade |
    Når grunndatasynken planlegges
    Så oppretter planen "2302" med fakturamåte "Timer"
