# language: no
Egenskap: Integrasjonen kjører av seg selv
  «grunndata run» kjører en syklus etter tidsplanen. Mellom de fulle avstemmingene leser hver
  syklus bare det som er endret siden forrige, med systemenes egne endringsfiltre, og fletter
  endringene inn i det den husker fra forrige syklus. En syklus som ville avsluttet mange
  prosjekter, skriver ingenting: planen venter på at en person godkjenner den.

  Bakgrunn:
    Gitt at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn           | status       | fakturamåte |
      | 9000   | Malprosjekt    | Ikke startet | Timer       |
      | 2301   | Kirkegata 12   | Pågår        | Timer       |
      | 2302   | Barnehage Lade | Pågår        | Timer       |
      | 2303   | Ranheim skole  | Pågår        | Timer       |
      | 2304   | Brattøra kai   | Pågår        | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn           |
      | 2301   | Kirkegata 12   |
      | 2302   | Barnehage Lade |
      | 2303   | Ranheim skole  |
      | 2304   | Brattøra kai   |
    Og at en person har kjørt grunndatasynken
    Og at én syklus har kjørt

  @R21 @R22
  Scenario: En endring i masteren når det andre systemet i neste syklus
    Når en bruker i SmartDok endrer prosjektet "2301" slik at navnet er "Kirkegata 12 (nytt bygg)"
    Og neste syklus kjøres
    Så er syklusen inkrementell
    Og heter prosjektet "2301" «Kirkegata 12 (nytt bygg)» i PowerOffice

  @R19 @R21
  Scenario: Et prosjekt omdøpt i begge systemene mellom to sykluser: masteren vinner
    Når en bruker i SmartDok endrer prosjektet "2302" slik at navnet er "Lade barnehage"
    Og en bruker i PowerOffice endrer prosjektet "2302" slik at navnet er "Barnehagen på Lade"
    Og neste syklus kjøres
    Så heter prosjektet "2302" «Lade barnehage» i PowerOffice
    Og sier grunnen for "2302" at "SmartDok"

  @R20 @R23
  Scenario: Sikringen holder tilbake en masseavslutning, og godkjenning gjennomfører den
    Når en bruker i SmartDok avslutter prosjektene "2301, 2302, 2303"
    Og neste syklus kjøres
    Så venter planen på godkjenning med grunnen "ville blitt avsluttet"
    Og er ingen prosjekter avsluttet i PowerOffice
    Når planen godkjennes
    Så er prosjektene "2301, 2302, 2303" avsluttet i PowerOffice

  @R21
  Scenario: En syklus som dør midt i skrivingen, fortsetter uten duplikater
    Når en bruker i SmartDok oppretter prosjektene "2401, 2402, 2403, 2404, 2405, 2406"
    Og neste syklus dør etter 3 skrivinger
    Og neste syklus kjøres
    Så finnes hvert prosjekt fra SmartDok nøyaktig én gang i PowerOffice
