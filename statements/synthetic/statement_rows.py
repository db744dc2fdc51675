"""The statement rows, with their speakers, recipients, topics, sources, citations and stance tags: `StatementRows`.

Drawn from the reference rows' draws with a generator of their own, seeded from the seed, so the
chunks come out the same each time they are asked for; the English texts plant `COMMON_WORD` and
`RARE_WORD` at their shares, the Japanese and Chinese ones are built from phrases.
"""

import datetime
import hashlib
import random
import uuid

from statements.models import Channel, Polarity, first_day
from statements.synthetic.draws import (
    CHANNELS,
    FIRST_DAY,
    LANGUAGES,
    LAST_DAY,
    PRECISIONS,
    RECIPIENT_COUNTS,
    SPEAKER_COUNTS,
    STATUSES,
    TAG_COUNTS,
    TOPIC_COUNTS,
    Draw,
    capped,
    midnight,
    quick_slug,
)
from statements.synthetic.tables import STATEMENT_TABLES
from statements.synthetic.vocabulary import COMMON_SHARE, COMMON_WORD, RARE_SHARE, RARE_WORD

# A statement is recorded soon after it was made, except for a few entered later from older sources.
BACKFILL_SHARE = 0.15
BACKFILL_DAYS = 730  # how far back a statement entered late may go
# A statement recorded on the day cites a fresh source this often, else one of the last few (~2.5 statements a source).
NEW_SOURCE_SHARE = 0.3
RECENT_SOURCES = 6
DIRECT_QUOTE_SHARE = 0.3


class StatementRows:
    """Builds statement rows one after the other, each recorded (created_at) in the order of its number."""

    def __init__(self, data):
        self.data = data
        # Its own generator, seeded from the seed (a string seed is hashed with SHA-512, the same in every
        # process), so the chunks come out the same each time they are asked for.
        self.rng = random.Random(f"{data.seed}:statements")
        self.next_ids = {name: data.base.first_ids[name] for name in STATEMENT_TABLES}
        self.recent_sources = []
        self.sources_made = 0
        self.channels = Draw.of(CHANNELS)
        self.statuses = Draw.of(STATUSES)
        self.precisions = Draw.of(PRECISIONS)
        self.languages = Draw.of(LANGUAGES)
        self.speaker_counts = Draw.of(SPEAKER_COUNTS)
        self.recipient_counts = Draw.of(RECIPIENT_COUNTS)
        self.topic_counts = Draw.of(TOPIC_COUNTS)
        self.tag_counts = Draw.of(TAG_COUNTS)

    def chunks(self, size):
        for start in range(0, self.data.count, size):
            rows = {name: [] for name in STATEMENT_TABLES}
            for number in range(start, min(start + size, self.data.count)):
                self.add_statement(number, rows)
            yield rows

    def take_id(self, table):
        taken = self.next_ids[table]
        self.next_ids[table] = taken + 1
        return taken

    def add_statement(self, number, rows):
        data, rng, take_id = self.data, self.rng, self.take_id
        # Statements are recorded in date order over the twenty years ("today" moves with the number).
        today = FIRST_DAY.toordinal() + number * (LAST_DAY - FIRST_DAY).days // data.count
        backfill = rng.random() < BACKFILL_SHARE
        if backfill:
            said_on = today - rng.randrange(min(BACKFILL_DAYS, today - FIRST_DAY.toordinal()) + 1)
        else:
            said_on = max(FIRST_DAY.toordinal(), today - rng.randrange(4))
        said_on = datetime.date.fromordinal(said_on)
        precision = self.precisions.one(rng)
        language = self.languages.one(rng)
        channel = self.channels.one(rng)
        speaker_count = self.speaker_counts.one(rng)
        if channel == Channel.JOINT_STATEMENT:
            speaker_count = max(speaker_count, 2)
        speakers = data.speakers_by_language.get(language, data.speakers).distinct(rng, speaker_count)
        recipients = data.recipients.distinct(rng, self.recipient_counts.one(rng), taken=speakers)
        topics = data.topics.distinct(rng, self.topic_counts.one(rng))
        curator = data.curators.one(rng)
        created_at = capped(
            midnight(datetime.date.fromordinal(today)) + datetime.timedelta(seconds=rng.randrange(6 * 3600, 30 * 3600))
        )
        if language == "en":
            text, summary = self.english_text(rng), self.english_summary(rng)
        else:
            text = "".join(self.cjk_sentence(rng, language) for _ in range(rng.randint(2, 4)))
            summary = self.cjk_sentence(rng, language, subject=False)
        statement_id = take_id("statements")
        rows["statements"].append(
            (
                statement_id,
                first_day(said_on, precision),
                precision,
                channel,
                text,
                rng.random() < DIRECT_QUOTE_SHARE,
                language,
                summary,
                self.statuses.one(rng),
                # From the seed and the statement's number, not from `rng`: the other rows stay as they were.
                uuid.UUID(bytes=hashlib.sha256(f"{data.seed}:{number}".encode()).digest()[:16], version=4),
                1,  # as on creation: the row was saved once
                curator,
                created_at,
                created_at,
            )
        )
        for actor in speakers:
            rows["statement speakers"].append((take_id("statement speakers"), statement_id, actor))
        for actor in recipients:
            rows["statement recipients"].append((take_id("statement recipients"), statement_id, actor))
        for topic in topics:
            rows["statement topics"].append((take_id("statement topics"), statement_id, topic))
        family = self.add_tags(rng, rows, statement_id, recipients, topics, curator, created_at)
        if backfill or not self.recent_sources or rng.random() < NEW_SOURCE_SHARE:
            source, publisher = self.add_source(rng, rows, said_on, speakers[0], family, topics, recipients)
            if not backfill:
                self.recent_sources = [*self.recent_sources[-RECENT_SOURCES + 1 :], (source, publisher)]
        else:
            source, publisher = rng.choice(self.recent_sources)
        roll = rng.random()
        if roll < 0.45:
            attribution = f"according to {publisher}"
        elif roll < 0.7:
            attribution = f"according to {data.actor_names[speakers[0]]}"
        else:
            attribution = ""
        rows["citations"].append((take_id("citations"), statement_id, source, attribution[:300]))

    def add_tags(self, rng, rows, statement_id, recipients, topics, curator, created_at):
        """One to four tags, no two on the same act and target; returns the first tag's family."""
        data, first_family, tagged = self.data, None, set()
        for _ in range(self.tag_counts.one(rng)):
            for _attempt in range(4):
                (category, family), target_actor, target_topic = data.categories.one(rng), None, None
                roll = rng.random()
                if roll < 0.5:
                    target_actor = (
                        rng.choice(recipients) if recipients and rng.random() < 0.7 else data.targets.one(rng)
                    )
                elif roll < 0.75:
                    target_topic = rng.choice(topics) if topics and rng.random() < 0.7 else data.topics.one(rng)
                if (category, target_actor, target_topic) not in tagged:
                    break
            else:
                continue
            tagged.add((category, target_actor, target_topic))
            first_family = first_family or family
            polarities, intensities = data.stances.get(family, data.other_stance)
            polarity = polarities.one(rng)
            intensity = intensities.one(rng) if polarity in (Polarity.FAVOR, Polarity.AGAINST) else 0
            tag_curator = curator if rng.random() < 0.75 else data.curators.one(rng)
            tagged_at = capped(created_at + datetime.timedelta(seconds=rng.randrange(900)))
            rows["stance tags"].append(
                (
                    self.take_id("stance tags"),
                    statement_id,
                    category,
                    target_actor,
                    target_topic,
                    polarity,
                    intensity,
                    tag_curator,
                    tagged_at,
                )
            )
        return first_family

    def add_source(self, rng, rows, said_on, speaker, family, topics, recipients):
        data = self.data
        self.sources_made += 1
        publisher = data.publishers.one(rng)
        published_on = None if rng.random() < 0.05 else said_on + datetime.timedelta(days=rng.randrange(3))
        if recipients and not topics:
            subject = data.actor_names[recipients[0]]
        else:
            subject = data.topic_names[topics[0] if topics else data.topics.one(rng)]
        verbs = data.headline_verbs.get(family) or data.headline_verbs["S"]
        title = "" if rng.random() < 0.03 else f"{data.actor_names[speaker]} {rng.choice(verbs)} {subject}"
        # The number makes the URL unique; example.org keeps it from ever pointing at a real page.
        url = (
            f"https://example.org/synthetic/{quick_slug(publisher)}/{(published_on or said_on):%Y/%m/%d}/"
            f"{self.sources_made}-{quick_slug(title) or 'report'}"
        )
        source = self.take_id("sources")
        rows["sources"].append((source, url, publisher, title[:500], published_on))
        return source, publisher

    def english_text(self, rng):
        words = self.data.words.many(rng, rng.randint(30, 50))
        if rng.random() < COMMON_SHARE:
            words[rng.randrange(len(words))] = COMMON_WORD
        if rng.random() < RARE_SHARE:
            words[rng.randrange(len(words))] = RARE_WORD
        sentences, start = [], 0
        while start < len(words):
            end = start + rng.randint(8, 16)
            if len(words) - end < 4:  # no two-word sentence at the end
                end = len(words)
            sentence = " ".join(words[start:end])
            sentences.append(f"{sentence[0].upper()}{sentence[1:]}.")
            start = end
        return " ".join(sentences)

    def english_summary(self, rng):
        summary = " ".join(self.data.words.many(rng, rng.randint(8, 15)))
        return summary[0].upper() + summary[1:]

    def cjk_sentence(self, rng, language, subject=True):
        phrases = self.data.cjk
        who = rng.choice(phrases[language, "subject"]) if subject else ""
        what = rng.choice(phrases[language, "object"]) + rng.choice(phrases[language, "about"])
        predicate = rng.choice(phrases[language, "predicate"])
        if language == "ja":
            return f"{who}は{what}、{predicate}。" if subject else f"{what}、{predicate}"
        return f"{who}就{what}{predicate}。" if subject else f"{what}{predicate}"
