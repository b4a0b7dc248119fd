"""Benchmark of the resource search: N resources in a scratch database, then timed searches.

    .venv/bin/python bench/search.py --resources 5000 [--database URL]
"""

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402

from network import create_app  # noqa: E402
from network.extensions import db  # noqa: E402
from network.resources import services  # noqa: E402
from network.resources.models import Resource  # noqa: E402

# The network's own vocabulary, among a few thousand other words: each search matches part of
# the library, as a real one would.
VOCABULARY = [
    "équipe", "télétravail", "dialogue", "social", "prévention", "risques", "psychosociaux",
    "organisation", "travail", "management", "participatif", "égalité", "professionnelle",
    "santé", "compétences", "parcours", "conciliation", "temps", "vie", "diagnostic",
    "accompagnement", "atelier", "synthèse", "webinaire", "replay", "référentiel", "outil",
    "appel", "projets", "lettre", "information", "Occitanie", "réseau", "QVT"]
SYLLABLES = ["ra", "to", "me", "li", "sa", "pe", "du", "ni", "co", "va", "ter", "mon", "gé",
             "tion", "ment", "ble", "ique", "eur", "ance", "ité"]


def text(rng: random.Random, words: list[str], count: int) -> str:
    return " ".join(rng.choice(VOCABULARY) if rng.random() < 0.02 else rng.choice(words)
                    for _ in range(count))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--database", help="SQLAlchemy URL of an empty scratch database")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/search.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(2019)
    words = list({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(6000)})
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        for n in range(args.resources):
            # A third of the resources are PDFs with a few pages of text.
            resource = Resource(
                title=f"{rng.choice(VOCABULARY)} {text(rng, words, 6)}".capitalize(),
                kind="outil", summary=text(rng, words, 20),
                description_markdown=text(rng, words, 120),
                extracted_text=text(rng, words, 2000) if n % 3 == 0 else "",
                dated=date(2020, 6, 1) + timedelta(days=n % 2000), status="published",
                visibility="public")
            services.save_resource(resource, "", None, "https://exemple.fr/r")
            if n % 500 == 499:
                db.session.commit()
                print(f"  … {n + 1} ressources", file=sys.stderr)
        db.session.commit()
        print(f"| resources indexed | {args.resources} in {time.perf_counter() - started:.1f} s |")
        for words in ("equipe", "télétravail dialogue", "risques psychosociaux occitanie"):
            criteria = services.ResourceFilter(words=words)
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                page = db.paginate(services.find_resources(criteria, for_members=True),
                                   page=1, per_page=20)
                total = page.total
                timings.append(time.perf_counter() - started)
            print(f"| search « {words} » | {total} results, first page in "
                  f"{min(timings) * 1000:.0f} ms (best of 5), {max(timings) * 1000:.0f} ms worst |")


if __name__ == "__main__":
    main()
