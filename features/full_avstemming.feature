# language: no
Egenskap: Den fulle avstemmingen fanger det endringsfiltrene ikke ser
  Ingen av API-ene melder slettinger, og et prosjekt som arkiveres, kan bli liggende utenfor
  endringsfilteret. Slike endringer kommer med i neste fulle avstemming (schedule.full,
  standard hver natt kl. 03:00), ikke i syklusene imellom.

  Bakgrunn:
    Gitt at PowerOffice er master
    Og at regelfilen "kunde.yaml" inneholder:
      """
      unattended:
        max_finish_share: 0.5
      """
    Og at PowerOffice har prosjektene:
      | nummer | navn           | status | fakturamåte |
      | 2301   | Kirkegata 12   | Pågår  | Timer       |
      | 2302   | Barnehage Lade | Pågår  | Timer       |
      | 2303   | Ranheim skole  | Pågår  | Timer       |
      | 2304   | Brattøra kai   | Pågår  | Timer       |
    Og at SmartDok har prosjektene:
      | nummer | navn           |
      | 2301   | Kirkegata 12   |
      | 2302   | Barnehage Lade |
      | 2303   | Ranheim skole  |
      | 2304   | Brattøra kai   |
    Og at en person har kjørt grunndatasynken
    Og at én syklus har kjørt

  @R20 @R22
  Scenario: Den fulle avstemmingen fanger et prosjekt arkivert i PowerOffice
    Når en bruker i PowerOffice arkiverer prosjektet "2304", sist endret i går, uten at endringsstempelet flyttes
    Og neste syklus kjøres
    Så er syklusen inkrementell
    Og har syklusen ingen handling for "2304"
    Når den fulle avstemmingen kjøres
    Så er syklusen full
    Og har syklusen en handling for "2304"
    Og er prosjektet "2304" avsluttet i SmartDok
