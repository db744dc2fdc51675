"""Load the Diplomatic Stance Taxonomy (DST) v1, so every database starts with the default taxonomy."""

from django.db import migrations

# code, label, CAMEO (text: "010" is not 10), PLOVER type, PLOVER mode, quad class. A family is a
# one-letter code; its acts carry the letter and a digit and sit beneath it.
DST_V1 = [
    ("S", "State a position", "01", "", "", 1),
    ("S1", "State or reiterate a position", "010", "", "", 1),
    ("S2", "Optimistic assessment", "013", "", "", 1),
    ("S3", "Decline to comment", "011", "", "", 1),
    ("S4", "Consider a policy option", "014", "", "", 1),
    ("S5", "Acknowledge or claim responsibility", "015", "", "", 1),
    ("A", "Align: verbal support", "05", "SUPPORT", "", 1),
    ("A1", "Praise or endorse", "051", "SUPPORT", "", 1),
    ("A2", "Reaffirm a principle or recognition", "051", "SUPPORT", "", 1),
    ("A3", "Express accord, joint position", "019", "", "", 1),
    ("A4", "Defend verbally", "052", "SUPPORT", "", 1),
    ("A5", "Express sympathy, condolence or solidarity", "018", "", "", 1),
    ("C", "Commit: pledge or intent to cooperate", "03", "AGREE", "", 1),
    ("C1", "Pledge material or security cooperation", "031", "AGREE", "", 1),
    ("C2", "Pledge diplomatic cooperation", "032", "AGREE", "", 1),
    ("C3", "Agree to meet, negotiate or settle", "036", "AGREE", "", 1),
    ("C4", "Sign or conclude an agreement", "057", "SUPPORT", "", 1),
    ("E", "Engage: consult", "04", "CONSULT", "", 1),
    ("E1", "Meet, visit or brief in person", "040", "CONSULT", "", 1),
    ("E2", "Phone or video call", "041", "CONSULT", "phone", 1),
    ("E3", "Multilateral or third-place meeting", "044", "CONSULT", "", 1),
    ("E4", "Negotiate or mediate", "046", "CONSULT", "", 1),
    ("P", "Appeal: soft request", "02", "REQUEST", "", 1),
    ("P1", "Seek diplomatic or policy support", "022", "REQUEST", "", 1),
    ("P2", "Urge restraint or de-escalation", "0256", "REQUEST", "", 1),
    ("P3", "Call for dialogue or settlement", "026", "REQUEST", "", 1),
    ("P4", "Appeal for cooperation or aid", "021", "REQUEST", "", 1),
    ("K", "Concern: hedged disapproval", "012", "ACCUSE", "", 3),
    ("K1", "Express concern", "012", "ACCUSE", "", 3),
    ("K2", "Express regret or disappointment", "110", "ACCUSE", "", 3),
    ("O", "Oppose: criticize", "11", "ACCUSE", "", 3),
    ("O1", "Criticize, condemn or denounce", "111", "ACCUSE", "", 3),
    ("O2", "Accuse", "112", "ACCUSE", "", 3),
    ("O3", "Formal protest, démarche, summons", "114", "ACCUSE", "", 3),
    ("R", "Reject or deny", "12", "REJECT", "", 3),
    ("R1", "Reject a proposal or demand", "120", "REJECT", "", 3),
    ("R2", "Deny an allegation or responsibility", "016", "REJECT", "", 3),
    ("R3", "Refuse to yield", "124", "REJECT", "", 3),
    ("D", "Demand", "10", "REQUEST", "", 3),
    ("D1", "Demand a change of policy or action", "104", "REQUEST", "", 3),
    ("D2", "Demand withdrawal or de-escalation", "1056", "REQUEST", "", 3),
    ("D3", "Demand talks or settlement", "106", "REQUEST", "", 3),
    ("W", "Warn or threaten", "13", "THREATEN", "", 3),
    ("W1", "Warn of consequences", "130", "THREATEN", "", 3),
    ("W2", "Threaten sanctions or cutting relations", "131", "THREATEN", "", 3),
    ("W3", "Threaten force, ultimatum", "138", "THREATEN", "", 3),
    ("X", "Report a material act", "15", "MOBILIZE", "", 4),
    ("X1", "Military movement or exercise", "150", "MOBILIZE", "", 4),
    ("X2", "Sanction or reduce relations", "160", "SANCTION", "", 4),
    ("X3", "Incursion or coercion", "170", "COERCE", "", 4),
]


def load_dst_v1(apps, schema_editor):
    Taxonomy = apps.get_model("statements", "Taxonomy")
    StanceCategory = apps.get_model("statements", "StanceCategory")
    taxonomy, _ = Taxonomy.objects.get_or_create(
        slug="dst-v1",
        defaults={
            "name": "Diplomatic Stance Taxonomy",
            "version": "1",
            "description": "Two levels: families (a letter) and acts (letter and digit), mapped to CAMEO and PLOVER.",
            "is_default": not Taxonomy.objects.filter(is_default=True).exists(),
        },
    )
    families = {}
    for code, label, cameo, plover, plover_mode, quad in DST_V1:
        category, _ = StanceCategory.objects.update_or_create(
            taxonomy=taxonomy,
            code=code,
            defaults={
                "label": label,
                "cameo": cameo,
                "plover": plover,
                "plover_mode": plover_mode,
                "quad": quad,
                "parent": families.get(code[0]) if len(code) > 1 else None,
            },
        )
        if len(code) == 1:
            families[code] = category


def unload_dst_v1(apps, schema_editor):
    StanceCategory = apps.get_model("statements", "StanceCategory")
    Taxonomy = apps.get_model("statements", "Taxonomy")
    # Acts first: a family is protected while its acts point at it.
    StanceCategory.objects.filter(taxonomy__slug="dst-v1", parent__isnull=False).delete()
    StanceCategory.objects.filter(taxonomy__slug="dst-v1").delete()
    Taxonomy.objects.filter(slug="dst-v1").delete()


class Migration(migrations.Migration):
    dependencies = [("statements", "0001_initial")]

    operations = [migrations.RunPython(load_dst_v1, unload_dst_v1)]
