"""The annual report (« bilan de l'année »), presented at the Rendez-vous annuel of each Semaine
QVT: the year's figures, computed from the data as it was that year, shown as a print-ready page,
a PDF and a workbook."""
