"""What the apps' models share: the folded form names are compared in, and the abstract base of a name."""

import unicodedata

from django.db import models


def fold(text):
    """The form names are compared in: Unicode-normalised (NFKC) and case-folded, any script.

    SQLite's LIKE folds ASCII only, so searches compare folded copies instead of relying on
    the database's case rules; the result is the same on SQLite and PostgreSQL.
    """
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


class LocalName(models.Model):
    """A name in one language and script, with the folded copy searches compare (an actor's or a topic's).

    Each concrete table adds the foreign key to what it names, its ordering and its uniqueness.
    """

    name = models.CharField(max_length=200)
    language = models.CharField(
        max_length=35, blank=True, help_text="BCP 47 tag: en, ja, ja-Latn, zh-Hans. Empty if unknown."
    )
    folded = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.name} ({self.language})" if self.language else self.name

    def save(self, *args, **kwargs):
        self.folded = fold(self.name)
        super().save(*args, **kwargs)
