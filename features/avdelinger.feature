# language: no
Egenskap: Avdelinger fra et tillegg
  Avdelinger synkes av et tillegg fra en tredjepart (grunndata-departments), ikke av grunndata
  selv: tillegget installeres som en vanlig Python-pakke og har med seg sine egne regler.
  Avdelingene følger mastersystemet. SmartDoks API kan opprette avdelinger, men ikke endre dem,
  så et avvik i SmartDok blir manuelt arbeid.

  Scenario: Med SmartDok som master opprettes og oppdateres avdelinger i PowerOffice
    Gitt at tillegget for avdelinger er installert
    Og at SmartDok er master med standardprosjekt "9000"
    Og at PowerOffice har prosjektene:
      | nummer | navn        | status       | fakturamåte |
      | 9000   | Malprosjekt | Ikke startet | Timer       |
    Og at SmartDok har avdelingene:
      | nummer | navn   | aktiv |
      | 10     | Bygg   | ja    |
      | 20     | Anlegg | ja    |
      | 30     | Gammel | nei   |
    Og at PowerOffice har avdelingene:
      | kode | navn          |
      | 20   | Anlegg gammel |
    Når grunndatasynken kjøres
    Så gikk alle skrivinger bra
    Og finnes avdelingen "10" i PowerOffice med navn "Bygg"
    Og finnes avdelingen "20" i PowerOffice med navn "Anlegg"
    Og finnes ikke avdelingen "30" i PowerOffice
    Og viser planen:
      | handling  | nøkkel | i           | begrunnelse                     |
      | hopp over | 30     | PowerOffice | er inaktiv i SmartDok           |
      | endre     | 20     | PowerOffice | avviker fra mastersystemet      |

  Scenario: Med PowerOffice som master opprettes avdelinger i SmartDok, men endres ikke der
    Gitt at tillegget for avdelinger er installert
    Og at PowerOffice er master
    Og at PowerOffice har avdelingene:
      | kode | navn   |
      | 10   | Bygg   |
      | 20   | Anlegg |
    Og at SmartDok har avdelingene:
      | nummer | navn          |
      | 20     | Anlegg gammel |
    Når grunndatasynken kjøres
    Så gikk alle skrivinger bra
    Og finnes avdelingen "10" i SmartDok med navn "Bygg"
    Og finnes avdelingen "20" i SmartDok med navn "Anlegg gammel"
    Og viser planen:
      | handling | nøkkel | i        | begrunnelse                                  |
      | manuelt  | 20     | SmartDok | SmartDoks API kan ikke endre avdelinger      |

  Scenario: Et avdelingsnavn SmartDok ikke tar imot gir en advarsel, ikke en feilet skriving
    Gitt at tillegget for avdelinger er installert
    Og at PowerOffice er master
    Og at PowerOffice har avdelingene:
      | kode | navn                                                            |
      | 10   | Avdeling for drift, vedlikehold og beredskap i Trøndelag og Møre |
    Når grunndatasynken planlegges
    Så viser planen:
      | handling | nøkkel | i        | begrunnelse                  |
      | advarsel | 10     | SmartDok | SmartDok tillater 50         |
    Og har planen ingen endringer
