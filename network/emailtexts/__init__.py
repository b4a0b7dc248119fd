"""The automatic e-mails' texts as the GT QVT rewords them in the back-office.

Each editable e-mail keeps its Jinja files in templates/email/ as its default. An admin may give
it a subject and a body of its own, in Markdown with a fixed list of placeholders (`{prenom}`,
`{lien}`…): catalogue.py says which e-mails, with which placeholders, computed from the context
the code already queues them with; markup.py checks a text and renders it (the admin's text is
never a template: it is Markdown, and the values go in after it is rendered, escaped);
services.py stores the texts and renders the edited e-mails for the outbox.
"""
