# language: no
Egenskap: Timer overføres til PowerOffice nøyaktig én gang
  Attesterte timer fra SmartDok skal komme fram til PowerOffice med riktig ansatt (R3),
  riktig timeart (R4) og riktig lønnsart for tillegg (R5). En rad som sendes to ganger
  er dobbel lønn eller dobbel faktura; en rad som blir borte er ubetalt arbeid.
  Derfor får hver linje en referanse laget av radens id, og raden merkes i SmartDok
  når PowerOffice har tatt imot den.

  Bakgrunn:
    Gitt at grunndataene stemmer overens i begge systemer

  @R3 @R4
  Scenario: Attesterte timer sendes én gang og merkes som overført
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | aktivitet | lønnsart     | timer | attestert |
      | 5001 | 1001   | 2026-01-05 | 3001     | 100       | Ordinær      | 7,5   | ja        |
      | 5002 | 1002   | 2026-01-05 | 3002     | 200       | Overtid 50 % | 2     | ja        |
      | 5003 | 1003   | 2026-01-06 | 3001     | 100       | Ordinær      | 7,5   | nei       |
    Når overføringen for januar 2026 kjøres
    Så har PowerOffice linjene:
      | referanse              | ansatt | timeart | prosjekt | aktivitet | dato       | minutter |
      | smartdok-workhour-5001 | 1001   | ORD     | 3001     | 100       | 2026-01-05 | 450      |
      | smartdok-workhour-5002 | 1002   | OT50    | 3002     | 200       | 2026-01-05 | 120      |
    Og er timeraden "5001" merket som overført i SmartDok med "smartdok-workhour-5001"
    Og er timeraden "5003" ikke merket som overført i SmartDok
    Og har PowerOffice nøyaktig 0 linjer med referanse som begynner med "smartdok-workhour-5003"
    Når overføringen for januar 2026 kjøres
    Så ble ingenting sendt til PowerOffice
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-workhour-5001"

  @R5
  Scenario: Et tillegg føres på timearten som peker på lønnsarten med tilleggets kode
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | tillegg | timer |
      | 5011 | 1001   | 2026-01-07 | 3001     | 210     | 7,5   |
      | 5012 | 1002   | 2026-01-07 | 3001     | 220     | 1     |
    Når overføringen for januar 2026 kjøres
    Så har PowerOffice linjene:
      | referanse              | ansatt | timeart | minutter |
      | smartdok-workhour-5011 | 1001   | T210    | 450      |
      | smartdok-workhour-5012 | 1002   | T220    | 60       |

  @R3 @R4 @R5
  Scenario: Rader som ikke stemmer holdes tilbake med doctorens forklaring, resten sendes
    Gitt at SmartDok har brukerne:
      | ansattnummer | navn        |
      | 1099         | Ola Uten PO |
    Og at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | lønnsart     | tillegg | timer |
      | 5021 | 1099   | 2026-01-08 | 3001     | Ordinær      |         | 7,5   |
      | 5022 | 1001   | 2026-01-08 | 3001     | Helgetillegg |         | 7,5   |
      | 5023 | 1002   | 2026-01-08 | 3001     |              | 230     | 7,5   |
      | 5024 | 1003   | 2026-01-08 | 3001     | Ordinær      |         | 7,5   |
    Når overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling     | type  | nøkkel                 | begrunnelsen inneholder                                       |
      | hold tilbake | timer | smartdok-workhour-5021 | Holdes tilbake: Brukeren «Ola Uten PO» har ansattnummer 1099 … (R3) |
      | hold tilbake | timer | smartdok-workhour-5022 | Holdes tilbake: Lønnsarten «Helgetillegg» … (R4)              |
      | hold tilbake | timer | smartdok-workhour-5023 | Holdes tilbake: Tillegget «Høydetillegg» har kode «230» … (R5) |
      | send         | timer | smartdok-workhour-5024 | ikke overført ennå                                            |
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-workhour-5024"
    Og har PowerOffice nøyaktig 0 linjer med referanse som begynner med "smartdok-workhour-5021"
    Og har PowerOffice nøyaktig 0 linjer med referanse som begynner med "smartdok-workhour-5022"
    Og har PowerOffice nøyaktig 0 linjer med referanse som begynner med "smartdok-workhour-5023"
    Og er timeraden "5021" ikke merket som overført i SmartDok
    Og feilet ingen linjer

  Scenario: Endret antall etter overføringen oppdaterer linjen
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | timer |
      | 5031 | 1001   | 2026-01-09 | 3001     | 7,5   |
    Når overføringen for januar 2026 kjøres
    Og raden "5031" endres i SmartDok slik at timer er "5"
    Og overføringen for januar 2026 forhåndsvises
    Så viser forhåndsvisningen:
      | handling | type  | nøkkel                 | begrunnelsen inneholder |
      | oppdater | timer | smartdok-workhour-5031 | får nytt antall         |
    Når overføringen for januar 2026 kjøres
    Så har PowerOffice linjene:
      | referanse              | minutter |
      | smartdok-workhour-5031 | 300      |
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-workhour-5031"

  Scenario: Enhver annen endring etter overføringen blir en ny linje
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | timer |
      | 5041 | 1001   | 2026-01-12 | 3001     | 7,5   |
    Når overføringen for januar 2026 kjøres
    Og raden "5041" endres i SmartDok slik at prosjekt er "3002"
    Og overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling | type  | nøkkel                 | begrunnelsen inneholder                                   |
      | ny linje | timer | smartdok-workhour-5041 | blir en ny linje smartdok-workhour-5041-endring-2 … står urørt |
    Og har PowerOffice linjene:
      | referanse                       | prosjekt |
      | smartdok-workhour-5041          | 3001     |
      | smartdok-workhour-5041-endring-2 | 3002     |
    Og er timeraden "5041" merket som overført i SmartDok med "smartdok-workhour-5041-endring-2"

  Scenario: En rad som ikke lenger er attestert rapporteres, linjen slettes ikke
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | timer |
      | 5051 | 1001   | 2026-01-13 | 3001     | 7,5   |
    Når overføringen for januar 2026 kjøres
    Og raden "5051" endres i SmartDok slik at attestert er "nei"
    Og overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling  | type  | nøkkel                 | begrunnelsen inneholder                  |
      | rapporter | timer | smartdok-workhour-5051 | ikke lenger attestert … slettes ikke     |
    Og ble ingenting sendt til PowerOffice
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-workhour-5051"

  Scenario: En linje som er godkjent i PowerOffice rapporteres og røres aldri
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | timer |
      | 5061 | 1001   | 2026-01-14 | 3001     | 7,5   |
    Når overføringen for januar 2026 kjøres
    Og linjen "smartdok-workhour-5061" er godkjent i PowerOffice
    Og raden "5061" endres i SmartDok slik at timer er "8"
    Og overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling  | type  | nøkkel                 | begrunnelsen inneholder            |
      | rapporter | timer | smartdok-workhour-5061 | er låst i PowerOffice (Approved) … røres ikke |
    Og ble ingenting sendt til PowerOffice
    Og har PowerOffice linjene:
      | referanse              | minutter |
      | smartdok-workhour-5061 | 450      |

  Scenario: En kjøring som stopper mellom PowerOffice og SmartDok sender ingenting to ganger
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | timer |
      | 5071 | 1001   | 2026-01-15 | 3001     | 7,5   |
      | 5072 | 1002   | 2026-01-15 | 3001     | 7,5   |
    Når kjøringen stopper etter at PowerOffice har tatt imot linjene, men før SmartDok er merket
    Og overføringen for januar 2026 kjøres
    Og kjøringen startes på nytt
    Og overføringen for januar 2026 kjøres
    Så viser forhåndsvisningen:
      | handling | type  | nøkkel                 | begrunnelsen inneholder                  |
      | merk     | timer | smartdok-workhour-5071 | finnes allerede i PowerOffice … merkes nå |
      | merk     | timer | smartdok-workhour-5072 | sendes ikke på nytt                      |
    Og ble ingenting sendt til PowerOffice
    Og er timeraden "5071" merket som overført i SmartDok med "smartdok-workhour-5071"
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-workhour-5071"

  Scenario: Et svar som går tapt gir ikke dobbel linje
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | timer |
      | 5081 | 1001   | 2026-01-16 | 3001     | 7,5   |
      | 5082 | 1002   | 2026-01-16 | 3001     | 7,5   |
    Når svaret fra PowerOffice går tapt for de neste 2 linjene
    Og overføringen for januar 2026 kjøres
    Så feilet ingen linjer
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-workhour-5081"
    Og har PowerOffice nøyaktig 1 linje med referanse som begynner med "smartdok-workhour-5082"
    Og er timeraden "5082" merket som overført i SmartDok med "smartdok-workhour-5082"

  Scenario: En periode lengre enn 93 dager hentes i bolker
    Gitt at SmartDok har timeradene:
      | id   | ansatt | dato       | prosjekt | timer |
      | 5091 | 1001   | 2026-01-05 | 3001     | 7,5   |
      | 5092 | 1001   | 2026-06-01 | 3001     | 7,5   |
    Når overføringen for 2026-01-01 til 2026-07-31 forhåndsvises
    Så hentes radene fra SmartDok i 3 bolker
    Og viser forhåndsvisningen:
      | handling | type  | nøkkel                 | begrunnelsen inneholder |
      | send     | timer | smartdok-workhour-5091 | ikke overført ennå      |
      | send     | timer | smartdok-workhour-5092 | ikke overført ennå      |
