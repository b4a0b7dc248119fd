"""The news of the demonstration (`flask demo`): a call for projects open and one closed, a
partnership proposal, a news item, and last June's annual newsletter, archived."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from network.extensions import db
from network.mailings.models import Mailing
from network.news import services
from network.news.models import NewsItem, NewsKind, NewsStatus

AUTHOR = "gt-qvt@exemple.fr"


def _items(today) -> list[tuple[int, services.NewsDetails]]:
    """(days before today it was published, the item)."""
    return [
        (3, services.NewsDetails(
            NewsKind.CALL_FOR_PROJECTS,
            "Appel à projets FACT : améliorer les conditions de travail",
            "Le Fonds pour l'amélioration des conditions de travail (FACT) soutient les projets "
            "des TPE et PME qui agissent sur la qualité de vie et des conditions de travail.",
            "## Qui peut répondre ?\n\nLes entreprises de moins de 300 salariés et les acteurs "
            "qui les accompagnent.\n\n## Pour quels projets ?\n\n- l'organisation du travail ;\n"
            "- la prévention de l'usure professionnelle ;\n- le dialogue social sur le travail.",
            "https://www.anact.fr/", today + timedelta(days=75))),
        (20, services.NewsDetails(
            NewsKind.PARTNERSHIP, "Un service de prévention et de santé au travail cherche des "
            "intervenants QVT dans le Gard",
            "Pour accompagner cinq entreprises de l'agroalimentaire dans une démarche QVT en "
            "2027 : les consultants et acteurs-relais intéressés écrivent au GT QVT.",
            "Le GT QVT met en relation les membres qui se manifestent avec le service.", None,
            None)),
        (35, services.NewsDetails(
            NewsKind.NEWS, "Les synthèses des ateliers de l'année sont en ligne",
            "Les synthèses des ateliers thématiques choisis par les membres sont dans les "
            "ressources du réseau.", "", None, None)),
        (150, services.NewsDetails(
            NewsKind.CALL_FOR_PROJECTS, "Appel à projets régional « Prévention des risques "
            "psychosociaux »", "Porté par les partenaires du PRST Occitanie pour les "
            "entreprises de la région.", "", "https://www.anact.fr/",
            today - timedelta(days=90))),
    ]


def generate_demo_news(now: datetime) -> int:
    """Once, in an empty news list: returns how many items were added."""
    if db.session.scalar(select(func.count()).select_from(NewsItem)):
        return 0
    today = services.paris_today(now)
    for days, details in _items(today):
        published = now - timedelta(days=days)
        item = NewsItem(status=NewsStatus.DRAFT, created_by=AUTHOR, created_at=published)
        services.save_news(item, details, published)
        db.session.add(item)
        services.publish(item, published)
    last_june = datetime(now.year if now.month > 6 else now.year - 1, 6, 20, 8, 0,
                         tzinfo=now.tzinfo)
    db.session.add(Mailing(
        subject=f"Lettre d'information annuelle {last_june.year} du réseau",
        body_markdown="## Le bilan de l'année\n\nMerci aux membres venus au Rendez-vous annuel "
                      "du réseau, pendant la Semaine QVT.\n\n## À venir\n\nLes thèmes des "
                      "prochains ateliers, choisis par les membres.",
        created_by=AUTHOR, created_at=last_june, send_requested_at=last_june,
        queued_at=last_june, newsletter=True))
    db.session.commit()
    return len(_items(today))
