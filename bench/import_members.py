"""Time the import of a members' file: `python bench/import_members.py [ROWS] [DATABASE_URL]`.

Writes a realistic CSV (Windows-1252, semicolons) of ROWS members (10,000 by default), then reads,
checks and imports it in one transaction into a fresh database (SQLite in a temporary folder
unless a PostgreSQL URL is given), and prints the time of each step.
"""

import csv
import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import flask_migrate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from network import create_app  # noqa: E402
from network.extensions import db, utcnow  # noqa: E402
from network.imports.plan import plan_import  # noqa: E402
from network.imports.reading import read_sheet  # noqa: E402
from network.imports.services import run_import  # noqa: E402

HEADERS = ["Prénom", "Nom", "Courriel", "Structure", "Profil", "Département(s)", "Champ(s) QVT",
           "Membre depuis", "Téléphone", "Fonction", "Site web", "Annuaire", "Cadre accepté le"]
DEPARTMENTS = ["31", "Hérault", "haute garonne", "Gard; Lozère", "Tarn (81)", "66", "Aude, Ariège"]
FIELDS = ["Santé au travail", "Contenu et organisation du travail; Égalité professionnelle",
          "Relations sociales", "management participatif", ""]
PROFILES = ["Consultant", "Consultante", "Acteur interne", "acteur-relais"]


def members_csv(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    launch = date(2019, 11, 22)
    for n in range(rows):
        since = launch + timedelta(days=rng.randrange(0, 2500))
        accepted = since.strftime("%d/%m/%Y") if rng.random() < 0.6 else ""
        writer.writerow([
            f"Prénom{n}", f"Nom-Élève{n}", f"membre{n}@exemple.fr", f"Structure {n % 700}",
            rng.choice(PROFILES), rng.choice(DEPARTMENTS), rng.choice(FIELDS),
            since.strftime("%d/%m/%Y") if rng.random() < 0.9 else "",
            f"05 61 {n % 100:02d} {n // 100 % 100:02d} 00" if rng.random() < 0.7 else "",
            "Ergonome", "", rng.choice(["oui", "non", ""]), accepted])
    return buffer.getvalue().encode("cp1252")


def timed_import(rows: int, database_url: str | None = None) -> dict[str, float]:
    content = members_csv(rows)
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_IN_APP": False})
        with app.app_context():
            flask_migrate.upgrade()
            started = time.perf_counter()
            sheet = read_sheet("membres.csv", content)
            read = time.perf_counter()
            plan = plan_import(sheet, "membres.csv", utcnow().date())
            planned = time.perf_counter()
            record = run_import(plan, by="bench", now=utcnow())
            db.session.commit()
            written = time.perf_counter()
            assert record.created_count == rows, plan.errors[:5]
            db.session.remove()
            db.engine.dispose()
    return {"read": read - started, "check": planned - read, "write": written - planned,
            "total": written - started}


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    figures = timed_import(count, sys.argv[2] if len(sys.argv) > 2 else None)
    print(f"{count} lignes : " + ", ".join(f"{step} {seconds:.1f} s"
                                          for step, seconds in figures.items()))
