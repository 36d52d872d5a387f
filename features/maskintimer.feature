# language: no
Egenskap: Maskintimer overføres på maskinens produkt
  Maskinene i SmartDok er produkter i PowerOffice (R10). Maskintimer føres i PowerOffice
  på aktiviteten som har maskinens produktkode, slik at de faktureres med produktets pris.
  Hver rad kommer fram nøyaktig én gang og merkes som overført i SmartDok.

  Bakgrunn:
    Gitt at grunndataene stemmer overens i begge systemer

  @R10
  Scenario: Maskintimer føres på aktiviteten med maskinens produkt
    Gitt at SmartDok har maskintimene:
      | id   | ansatt | dato       | prosjekt | maskin | timer |
      | 6001 | 1001   | 2026-01-12 | 3001     | M-1    | 4     |
      | 6002 | 1002   | 2026-01-12 | 3002     | M-2    | 2,5   |
    Når overføringen for januar 2026 kjøres
    Så har PowerOffice linjene:
      | referanse                 | ansatt | prosjekt | aktivitet | minutter |
      | smartdok-machinehour-6001 | 1001   | 3001     | A-M-1     | 240      |
      | smartdok-machinehour-6002 | 1002   | 3002     | A-M-2     | 150      |
    Og er timeraden "6001" merket som overført i SmartDok med "smartdok-machinehour-6001"
    Når overføringen for januar 2026 kjøres
    Så ble ingenting sendt til PowerOffice

  @R10
  Scenario: En maskin som ikke finnes som produkt i PowerOffice holdes tilbake
    Gitt at SmartDok har maskintimene:
      | id   | ansatt | dato       | prosjekt | maskin | timer |
      | 6011 | 1001   | 2026-01-13 | 3001     | M-99   | 4     |
      | 6012 | 1001   | 2026-01-13 | 3001     | M-3    | 4     |
    Når overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling     | type        | nøkkel                    | begrunnelsen inneholder                               |
      | hold tilbake | maskintimer | smartdok-machinehour-6011 | Produkt M-99 finnes ikke som produkt (R10) … Forslag: |
      | send         | maskintimer | smartdok-machinehour-6012 | ikke overført ennå                                    |
    Og er timeraden "6011" ikke merket som overført i SmartDok
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-machinehour-6012"

  Scenario: Endrede maskintimer oppdaterer linjen, og et tapt svar gir ikke dobbel linje
    Gitt at SmartDok har maskintimene:
      | id   | ansatt | dato       | prosjekt | maskin | timer |
      | 6021 | 1001   | 2026-01-14 | 3001     | M-1    | 4     |
    Når svaret fra PowerOffice går tapt for de neste 1 linjene
    Og overføringen for januar 2026 kjøres
    Og raden "6021" endres i SmartDok slik at timer er "6"
    Og overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling | type        | nøkkel                    | begrunnelsen inneholder |
      | oppdater | maskintimer | smartdok-machinehour-6021 | får nytt antall         |
    Og har PowerOffice linjene:
      | referanse                 | minutter |
      | smartdok-machinehour-6021 | 360      |
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-machinehour-6021"
