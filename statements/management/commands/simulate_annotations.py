"""Two simulated curators tag statements blind, for trying the agreement figures and pages (never in production)."""

import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from statements import annotations
from statements.models import Annotation, StanceCategory, Statement
from statements.services import TagSpec, add_curator


class Command(BaseCommand):
    help = (
        "Assign N tagged statements to two simulated curators (sim-ana, sim-ben) who re-tag them blind: each keeps "
        "a stance tag as it stands with probability --fidelity, else picks a sibling act, another intensity or "
        "drops it; then print the agreement table. For demonstrations and tests of the agreement figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--statements", type=int, default=300)
        parser.add_argument("--fidelity", type=float, default=0.8, help="Chance a curator keeps a tag as it is.")
        parser.add_argument("--seed", type=int, default=1)

    @transaction.atomic
    def handle(self, *args, statements, fidelity, seed, **options):
        chance = random.Random(seed)
        User = get_user_model()
        reviewer = User.objects.filter(is_superuser=True).first() or add_curator(
            username="sim-reviewer", password=None, reviewer=True
        )
        if not reviewer.is_superuser and not reviewer.has_perm("statements.publish_statement"):
            raise CommandError("No reviewer to assign with.")
        curators = [
            User.objects.filter(username=name).first() or add_curator(username=name, password=None)
            for name in ("sim-ana", "sim-ben")
        ]
        chosen = list(
            Statement.objects.filter(stance_tags__isnull=False, annotations__isnull=True, adjudication__isnull=True)
            .distinct()
            .order_by("pk")[:statements]
        )
        if not chosen:
            raise CommandError("No tagged statement without annotations: load the demo or generate statements.")
        siblings = {}
        for category in StanceCategory.objects.default_taxonomy().exclude(parent=None):
            siblings.setdefault(category.parent_id, []).append(category)
        annotations.assign(chosen, curators=curators, user=reviewer)
        for statement in chosen:
            gold = [TagSpec.of(tag) for tag in statement.stance_tags.select_related("category")]
            for curator in curators:
                tags = {}
                for tag in gold:
                    roll = chance.random()
                    if roll < fidelity:
                        kept = tag
                    elif roll < fidelity + (1 - fidelity) / 3:
                        others = siblings.get(tag.category.parent_id) or [tag.category]
                        kept = TagSpec(chance.choice(others), tag.target_actor, tag.target_topic, tag.polarity, 2)
                    elif roll < fidelity + 2 * (1 - fidelity) / 3:
                        kept = TagSpec(
                            tag.category, tag.target_actor, tag.target_topic, tag.polarity, chance.randint(0, 4)
                        )
                    else:
                        continue
                    tags[kept.key()] = kept
                annotation = Annotation.objects.get(statement=statement, curator=curator)
                annotations.save_annotation(annotation, user=curator, tags=list(tags.values()))
                annotations.submit_annotation(annotation, user=curator)
        result = annotations.agreement_of(Statement.objects.filter(pk__in=[s.pk for s in chosen]))
        self.stdout.write(f"{result['statements']} statements, coders {', '.join(result['coders'])}")
        self.stdout.write("level   code  units  observed  kappa   alpha   alpha(intensity)  alpha(polarity)")
        for row in result["rows"]:
            kappa = row["kappa"][0]["kappa"] if row["kappa"] else None
            self.stdout.write(
                f"{row['level']:<7} {row['code'] or 'all':<5} {row['units']:>5}  {fmt(row['observed']):>8}  "
                f"{fmt(kappa):>6}  {fmt(row['alpha']):>6}  {fmt(row['intensity_alpha']):>16}  "
                f"{fmt(row['polarity_alpha']):>15}"
            )


def fmt(value):
    return "n/a" if value is None else f"{value:.3f}"
