# language: no
Egenskap: Vareforbruk overføres på varens produkt
  Attestert vareforbruk fra SmartDok føres i PowerOffice på aktiviteten som har varens
  produktkode, med mengden som antall, slik at det kommer med i fakturagrunnlaget.
  Hver rad kommer fram nøyaktig én gang og merkes som eksportert i SmartDok.

  Bakgrunn:
    Gitt at grunndataene stemmer overens i begge systemer

  Scenario: Attestert vareforbruk sendes én gang og merkes som eksportert
    Gitt at SmartDok har vareforbruket:
      | id   | ansatt | dato       | prosjekt | vare | mengde | attestert |
      | 9001 | 1001   | 2026-01-20 | 3001     | V-1  | 12     | ja        |
      | 9002 | 1002   | 2026-01-20 | 3002     | V-2  | 3,5    | nei       |
    Når overføringen for januar 2026 kjøres
    Så har PowerOffice linjene:
      | referanse          | ansatt | prosjekt | aktivitet | mengde | minutter |
      | smartdok-goods-9001 | 1001   | 3001     | A-V-1     | 12     | 0        |
    Og er vareforbruket "9001" merket som eksportert i SmartDok
    Og er vareforbruket "9002" ikke merket som eksportert i SmartDok
    Og har PowerOffice nøyaktig 0 linjer med referanse som begynner med "smartdok-goods-9002"
    Når overføringen for januar 2026 kjøres
    Så ble ingenting sendt til PowerOffice

  Scenario: En vare uten produkt i PowerOffice holdes tilbake, resten sendes
    Gitt at SmartDok har vareforbruket:
      | id   | ansatt | dato       | prosjekt | vare | mengde |
      | 9011 | 1001   | 2026-01-21 | 3001     | V-77 | 5      |
      | 9012 | 1001   | 2026-01-21 | 3001     | V-3  | 5      |
    Når overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling     | type        | nøkkel              | begrunnelsen inneholder                  |
      | hold tilbake | vareforbruk | smartdok-goods-9011 | Produkt V-77 finnes ikke som produkt     |
      | send         | vareforbruk | smartdok-goods-9012 | ikke overført ennå                       |
    Og er vareforbruket "9011" ikke merket som eksportert i SmartDok
    Og er vareforbruket "9012" merket som eksportert i SmartDok

  Scenario: Endret mengde oppdaterer linjen; en avbrutt kjøring merker bare
    Gitt at SmartDok har vareforbruket:
      | id   | ansatt | dato       | prosjekt | vare | mengde |
      | 9021 | 1001   | 2026-01-22 | 3001     | V-1  | 10     |
    Når kjøringen stopper etter at PowerOffice har tatt imot linjene, men før SmartDok er merket
    Og overføringen for januar 2026 kjøres
    Og kjøringen startes på nytt
    Og raden "9021" endres i SmartDok slik at mengde er "8"
    Og overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling | type        | nøkkel              | begrunnelsen inneholder |
      | oppdater | vareforbruk | smartdok-goods-9021 | får nytt antall         |
    Og har PowerOffice linjene:
      | referanse           | mengde |
      | smartdok-goods-9021 | 8      |
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-goods-9021"
    Og er vareforbruket "9021" merket som eksportert i SmartDok
