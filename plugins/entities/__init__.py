"""entities"""

# The domain rules (DOMAIN.md) each planning step of a synced entity cites; an entity adds the
# rule of its manual work (R12, R16, R17).
REFS = {
    "match": "R6",
    "filter": "R14",
    "overwrite": "R19",
    "finish": "R20",
    "duplicate": {"smartdok_master": "R13", "poweroffice_master": "R18"},
}
