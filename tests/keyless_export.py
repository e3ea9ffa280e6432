"""An export without case or intervention ids, as many real ones are: a mapping that builds the intervention's
id from its natural key (person, unit, type, start)."""
MAPPING = {"filformat": {"encoding": "auto", "delimiter": ";"}, "tabeller": {
    "clients": {"kolumner": {"Personnummer": "personnummer"}},
    "interventions": {"kolumner": {"Personnummer": "personnummer", "Enhet": "unit", "Insats": "type",
                                   "Start": "start"},
                      "koder": {"unit": {"Barn och unga": "barn_unga", "Vuxenenheten": "vuxna_missbruk"}},
                      "nyckel": {"kolumner": ["Personnummer", "Enhet", "Insats", "Start"],
                                 "id": "intervention_id"}}}}
# A pseudonymisation key of the tests' own: files written by a test are not demo files, so the demo key refuses them.
TEST_KEY = "en-testnyckel-som-bara-finns-i-testerna-0123456789"
