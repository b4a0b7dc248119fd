"""The annual report laid out once, as sections of tables and charts, for its three forms: the
page (templates/admin/report/report.html), the PDF (pdf.py) and the workbook (workbook.py).

A table's cells are values, not text: a count (int), a rate (Rate), an average (float), a day
(date), a label (str), or None for « — ». Each form writes them its own way: « 1 234 » and
« 42 % » on paper, numbers that add up in a spreadsheet.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from network.admin import charts
from network.admin.stats import Month, Share
from network.report.activity import ratio
from network.report.services import AnnualReport
from network.templating import PARIS, french_date, plural, short_date, thousands


@dataclass(frozen=True)
class Rate:
    """A share between 0 and 1, or None where there is nothing to divide."""

    value: float | None


@dataclass
class Table:
    kind: ClassVar[str] = "table"
    caption: str
    headers: list[str]
    rows: list[list]
    total: list | None = None  # a last row that sums up the others


@dataclass
class Chart:
    """Horizontal bars, one per share; with totals, each bar over a track of its total. Shown
    beside its table (the exact figures, for every reader), if it has one."""

    kind: ClassVar[str] = "chart"
    title: str
    shares: list[Share]
    table: Table | None = None
    totals: list[int] | None = None
    tone: str = "teal"

    def geometry(self) -> charts.HBarChart:
        return charts.hbar_chart(self.shares, tone=self.tone, totals=self.totals)


@dataclass
class MonthSeries:
    """Members at the end of each month, joins and exits: the dashboard's chart, for one year."""

    kind: ClassVar[str] = "months"
    title: str
    months: list[Month]
    table: Table | None = None

    def geometry(self) -> charts.MonthChart:
        return charts.month_chart(self.months, width=640)


@dataclass
class Section:
    key: str  # the page's anchor
    title: str
    sheet: str  # the workbook's sheet (31 characters at most)
    blocks: list = field(default_factory=list)  # Table, Chart, MonthSeries, in order
    notes: list[str] = field(default_factory=list)
    empty: str | None = None  # said instead of the blocks when there is nothing to show

    @property
    def tables(self) -> list[Table]:
        """Every table, those beside a chart included, in order."""
        found = []
        for block in self.blocks:
            table = block if isinstance(block, Table) else block.table
            if table is not None:
                found.append(table)
        return found


def format_cell(value) -> str:
    """A cell as the page and the PDF write it: « 1 234 », « 42 % », « 4,2 », « — »."""
    if isinstance(value, Rate):
        value = None if value.value is None else f"{round(value.value * 100)} %"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return thousands(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def end_label(report: AnnualReport) -> str:
    """« 31 décembre 2025 », or today's date for the year under way."""
    period = report.period
    return f"31 décembre {report.year}" if period.complete else french_date(period.now)


def sections(report: AnnualReport) -> list[Section]:
    return [summary(report), members(report), renewal(report), events(report),
            satisfaction(report), welcome(report), library(report), profiles(report)]


def summary(report: AnnualReport) -> Section:
    m, total = report.membership, report.events_total
    rows = [[f"Membres au 1er janvier {report.year}", m.at_start],
            ["Adhésions", m.joins], ["Sorties", m.exit_count],
            [f"Membres au {end_label(report)}", m.at_end],
            ["Événements tenus", total.events], ["Présences aux événements", total.attended],
            ["Ressources publiées", report.library.published_count],
            ["Téléchargements de ressources", report.library.downloads]]
    if report.renewal.campaign:
        rows.append([f"Taux de réponse au renouvellement {report.year}",
                     Rate(report.renewal.answer_rate)])
    return Section("en-bref", "L'année en bref", "En bref", [
        Table(f"Chiffres clés de {report.year}", ["Indicateur", "Valeur"], rows)])


def members(report: AnnualReport) -> Section:
    m = report.membership
    flows = Table(f"Membres en {report.year}", ["Indicateur", "Membres"], [
        ["Membres au 1er janvier", m.at_start], ["Adhésions", m.joins],
        ["Sorties", m.exit_count], [f"Membres au {end_label(report)}", m.at_end]])
    reasons = Table("Sorties par motif", ["Motif", "Sorties"],
                    [[share.label, share.count] for share in m.exits],
                    total=["Total", m.exit_count])
    months = Table("Mois par mois", ["Mois", "Adhésions", "Sorties", "Membres en fin de mois"],
                   [[charts.month_name(month), month.joins, month.exits, month.total]
                    for month in m.months], total=["Total", m.joins, m.exit_count, None])
    return Section("membres", "Adhésions et sorties", "Adhésions et sorties", [
        flows, MonthSeries(f"Membres en fin de mois, adhésions et sorties, {report.year}",
                           m.months, months),
        Chart("Sorties par motif", m.exits, reasons, tone="terracotta")],
        notes=["Une adhésion est une entrée dans le réseau : une première adhésion, ou un "
               "retour après une sortie. Un renouvellement n'en est pas une.",
               "Chiffres tirés de l'historique des adhésions, tel qu'il était écrit à chaque "
               "date : une personne sortie depuis compte parmi les membres de l'année."])


def renewal(report: AnnualReport) -> Section:
    section = Section("renouvellement", f"Renouvellement {report.year}", "Renouvellement")
    campaign, counts = report.renewal.campaign, report.renewal.counts
    if campaign is None:
        section.empty = (f"Aucune campagne de renouvellement n'a été ouverte en {report.year} "
                         "(elle s'ouvre chaque année le jour anniversaire du réseau).")
        return section
    outcomes = [Share("renewed", "Renouvelés", counts.renewed),
                Share("left", "Départs annoncés sur le formulaire", counts.left),
                Share("dropped", "Sortis faute de réponse", counts.dropped),
                Share("closed", "Sortis en cours de campagne", counts.closed),
                Share("open", "Toujours sans réponse", report.renewal.still_open)]
    table = Table(f"Campagne de renouvellement {report.year}", ["Indicateur", "Membres"], [
        ["Formulaires envoyés", counts.asked],
        *[[share.label, share.count] for share in outcomes],
        ["Dispensés (adhésion récente)", counts.exempt],
        ["Taux de réponse", Rate(report.renewal.answer_rate)]])
    section.blocks = [Chart("Issue des formulaires envoyés", outcomes, table,
                            totals=[counts.asked] * len(outcomes))]
    closed = (f"close le {short_date(campaign.closed_at)}" if campaign.closed_at
              else "en cours")
    section.notes = [
        f"Campagne ouverte le {short_date(campaign.opened_at)}, échéance le "
        f"{short_date(campaign.deadline)}, {closed}.",
        "Taux de réponse : membres ayant renouvelé ou annoncé leur départ, parmi ceux à qui "
        "le formulaire a été envoyé. Les membres ayant adhéré peu avant l'ouverture en sont "
        "dispensés."]
    return section


def events(report: AnnualReport) -> Section:
    section = Section("evenements", "Événements", "Événements")
    total = report.events_total
    if not total.events:
        section.empty = f"Aucun événement tenu en {report.year}."
        return section
    rows = [[kind.label, kind.events, kind.registered, kind.attended,
             Rate(kind.attendance_rate)] for kind in report.events]
    table = Table(f"Événements tenus en {report.year}, par type",
                  ["Type", "Événements", "Inscrits", "Présents", "Taux de présence"], rows,
                  total=["Total", total.events, total.registered, total.attended,
                         Rate(total.attendance_rate)])
    # Drawn where the attendance was marked: an unmarked webinar is not « 0 present ».
    marked = [kind for kind in report.events if kind.marked]
    section.blocks = [Chart(
        "Personnes présentes parmi les inscrites dont la présence a été relevée, par type",
        [Share(kind.kind, kind.label, kind.attended) for kind in marked], table,
        totals=[kind.marked for kind in marked])]
    section.notes = ["Taux de présence : personnes présentes parmi les inscrites dont la "
                     "présence a été relevée ; « — » quand elle ne l'a pas été."]
    return section


def satisfaction(report: AnnualReport) -> Section:
    section = Section("satisfaction", "Satisfaction des participants", "Satisfaction")
    if not report.satisfaction:
        section.empty = f"Aucune évaluation pour {report.year}."
        return section
    section.blocks = [Table(
        "Moyennes des évaluations", ["Évalué", "Question", "Réponses", "Moyenne", "Sur"],
        [[line.label, line.question, line.answers, line.average, line.scale_max]
         for line in report.satisfaction])]
    return section


def welcome(report: AnnualReport) -> Section:
    reach, end = report.welcome, end_label(report)
    # Short labels: the table beside the chart says them in full.
    shares = [Share("nouveaux", "Nouveaux membres", reach.new_members_welcomed),
              Share("membres", "Membres en fin d'année", reach.members_welcomed)]
    table = Table("Portée du module d'accueil", ["Indicateur", "Valeur"], [
        ["Modules d'accueil tenus", reach.modules],
        ["Personnes présentes", reach.participants],
        [f"Nouveaux membres de {report.year}", reach.new_members],
        ["dont présents à un module d'accueil", reach.new_members_welcomed],
        ["Part des nouveaux membres accueillis", Rate(reach.new_members_share)],
        [f"Membres au {end}", reach.members],
        ["dont ayant suivi un module d'accueil", reach.members_welcomed],
        ["Part des membres accueillis", Rate(reach.members_share)]])
    return Section("accueil", "Module d'accueil « Intégrer le réseau »", "Module d'accueil", [
        Chart("Membres ayant suivi un module d'accueil", shares, table,
              totals=[reach.new_members, reach.members])],
        notes=[f"Sont comptés les modules d'accueil suivis jusqu'au {end}, quelle que soit "
               "l'année : un membre arrivé en fin d'année n'a pas encore pu suivre le "
               "suivant."])


def library(report: AnnualReport) -> Section:
    lib = report.library
    months = lib.downloads_by_month
    # The months by their short names: the title and the table say the year.
    bars = [Share(share.code, charts.SHORT_MONTHS[int(share.code[5:]) - 1], share.count)
            for share in months]
    return Section("ressources", "Ressources", "Ressources", [
        Table(f"Ressources publiées en {report.year}, par type", ["Type", "Ressources"],
              [[share.label, share.count] for share in lib.published],
              total=["Total", lib.published_count]),
        Chart(f"Téléchargements par mois, {report.year}", bars, Table(
            "Téléchargements par mois", ["Mois", "Téléchargements"],
            [[share.label, share.count] for share in months], total=["Total", lib.downloads]),
            tone="ochre"),
        Table(f"Les plus téléchargées en {report.year}",
              ["Ressource", "Publiée le", "Téléchargements"],
              [[resource.title, resource.published_at.astimezone(PARIS).date(), count]
               for resource, count in lib.most_downloaded]),
        Table("« Cette ressource vous a-t-elle été utile ? »", ["Réponse", "Votes"],
              [["Oui", report.usefulness.useful], ["Non", report.usefulness.not_useful],
               ["Part de oui", Rate(ratio(report.usefulness.useful,
                                          report.usefulness.votes))]])],
        notes=["Les téléchargements sont comptés par mois, sans rien retenir de qui "
               "télécharge ; une ressource retirée depuis compte parmi celles publiées."])


def profiles(report: AnnualReport) -> Section:
    end = end_label(report)
    members_count = report.membership.at_end

    def breakdown(caption: str, heading: str, shares: list[Share]) -> Table:
        return Table(caption, [heading, "Membres", "Part"],
                     [[share.label, share.count, Rate(ratio(share.count, members_count))]
                      for share in shares])

    return Section("profils", f"Les membres au {end}", "Membres en fin d'année", [
        Chart("Membres par profil", report.by_profile,
              breakdown("Membres par profil", "Profil", report.by_profile)),
        Chart("Membres par département d'Occitanie", report.by_department,
              breakdown("Membres par département", "Département", report.by_department),
              tone="terracotta"),
        Chart("Membres par champ de la QVT", report.by_field,
              breakdown("Membres par champ de la QVT", "Champ de la QVT", report.by_field),
              tone="ochre")],
        notes=[f"{plural(members_count, 'personne membre', 'personnes membres')} au {end}, "
               "avec le profil, les départements et les champs de la QVT qu'elles indiquent "
               "aujourd'hui : "
               "l'historique de ces informations n'est pas conservé.",
               "Un membre peut travailler dans plusieurs départements et sur plusieurs champs."])
