"""evaluations: questionnaires per kind of event and the needs survey, who was asked (apart
from the answers), the answers, the resources' usefulness; the default questionnaires

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28 15:00:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# The questionnaires the network starts with, as they were written at this revision (the
# application's copy, network/evaluations/defaults.py, may change later; this one does not).
KINDS = [
    ("webinaire", "ce webinaire", ("choix", "La durée du webinaire vous a-t-elle convenu ?",
                                   "Trop courte\nAdaptée\nTrop longue")),
    ("atelier", "cet atelier", ("echelle", "Les échanges entre participants vous ont-ils été "
                                           "utiles ?", "")),
    ("rendez-vous", "ce Rendez-vous annuel", ("choix", "Recommanderiez-vous le Rendez-vous "
                                                       "annuel à un ou une collègue ?",
                                              "Oui\nPeut-être\nNon")),
    ("module-accueil", "ce module d'accueil", ("choix", "Savez-vous maintenant comment "
                                                        "participer à la vie du réseau ?",
                                               "Oui\nEn partie\nNon")),
    ("module-renforcement", "ce module de renforcement", (
        "echelle", "Vous sentez-vous mieux outillé·e pour accompagner une démarche QVT ?", "")),
    ("groupe-travail", "cette séance du groupe de travail", (
        "choix", "Les travaux du groupe avancent-ils à votre goût ?", "Oui\nEn partie\nNon")),
    ("autre", "cet événement", ("choix", "Le format vous a-t-il convenu ?",
                                "Oui\nEn partie\nNon")),
]
AT_ALL = ("Pas du tout", "Tout à fait")
EVALUATION_INTRO = ("Quelques questions, deux minutes : vos réponses sont anonymes et aident le "
                    "GT QVT à préparer les prochains rendez-vous du réseau.")
NEEDS_INTRO = ("Ce questionnaire prépare le module de renforcement : il nous aide à connaître "
               "votre niveau d'appropriation de la démarche QVT et vos besoins. Vos réponses "
               "sont anonymes.")


def question(kind, text, required=False, options="", ends=("", ""), overall=False):
    return {"kind": kind, "text": text, "required": required, "options": options,
            "low_label": ends[0], "high_label": ends[1], "overall": overall}


def evaluation_questions(noun, own):
    own_kind, own_text, own_options = own
    return [
        question("echelle", f"Globalement, êtes-vous satisfait·e de {noun} ?", required=True,
                 ends=("Pas du tout satisfait·e", "Tout à fait satisfait·e"), overall=True),
        question("echelle", "Le contenu répond-il à vos besoins ?", required=True, ends=AT_ALL),
        question(own_kind, own_text, options=own_options,
                 ends=AT_ALL if own_kind == "echelle" else ("", "")),
        question("texte", "Qu'en retenez-vous ?"),
        question("texte", "Quels thèmes aimeriez-vous voir traités par le réseau ?"),
    ]


NEEDS_QUESTIONS = [
    question("echelle", "Où en êtes-vous dans l'accompagnement des démarches QVT ?",
             required=True, ends=("Je débute", "Je suis très à l'aise")),
    question("choix", "Sur quel champ de la QVT souhaitez-vous d'abord vous renforcer ?",
             required=True,
             options="Relations sociales et professionnelles\nContenu et organisation du travail"
                     "\nSanté au travail\nCompétences et parcours professionnels\nÉgalité "
                     "professionnelle\nManagement participatif et engagement\nConciliation des "
                     "temps de vie"),
    question("choix", "Quel format vous convient le mieux ?",
             options="Webinaire d'une heure\nAtelier en présentiel\nJournée de module\n"
                     "Échanges entre pairs"),
    question("texte", "Quels outils ou méthodes aimeriez-vous approfondir ?"),
    question("texte", "Une situation ou une question à partager avec le réseau ?"),
]


def default_questionnaires():
    return [{"key": f"evaluation:{kind}", "purpose": "evaluation", "event_kind": kind,
             "title": f"Votre avis sur {noun}", "intro": EVALUATION_INTRO,
             "questions": evaluation_questions(noun, own)} for kind, noun, own in KINDS] + [
        {"key": "besoins", "purpose": "besoins", "event_kind": None,
         "title": "Vos besoins de renforcement", "intro": NEEDS_INTRO,
         "questions": NEEDS_QUESTIONS}]


def upgrade():
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('event_kind', sa.String(length=30), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    sa.UniqueConstraint('key', name=op.f('uq_questionnaire_key'))
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_purpose'), ['purpose'], unique=False)
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('low_label', sa.String(length=80), nullable=False),
    sa.Column('high_label', sa.String(length=80), nullable=False),
    sa.Column('overall', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_question_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_questionnaire_id'), ['questionnaire_id'], unique=False)
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=True),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=254), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_survey_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_survey_questionnaire_id_questionnaire')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    sa.UniqueConstraint('key', name=op.f('uq_survey_key'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_purpose'), ['purpose'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_questionnaire_id'), ['questionnaire_id'], unique=False)
    op.create_table('resource_usefulness',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('useful', sa.Integer(), nullable=False),
    sa.Column('not_useful', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_usefulness_resource_id_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'month', name=op.f('pk_resource_usefulness'))
    )
    op.create_table('survey_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_survey_id'), ['survey_id'], unique=False)
    op.create_table('survey_answer',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('scale_value', sa.Integer(), nullable=True),
    sa.Column('choice', sa.String(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_survey_answer_question_id_question')),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_survey_answer'))
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_question_id'), ['question_id'], unique=False)
    op.create_table('survey_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_survey_invitation_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_survey_invitation_registration_id_registration'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_invitation_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation')),
    sa.UniqueConstraint('survey_id', 'person_id', name='uq_survey_invitation_person'),
    sa.UniqueConstraint('survey_id', 'registration_id', name='uq_survey_invitation_registration')
    )
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitation_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitation_survey_id'), ['survey_id'], unique=False)


    seed_questionnaires()


def seed_questionnaires():
    questionnaires = sa.table(
        'questionnaire', sa.column('id', sa.Integer()), sa.column('key', sa.String()),
        sa.column('purpose', sa.String()), sa.column('event_kind', sa.String()),
        sa.column('title', sa.String()), sa.column('intro', sa.Text()),
        sa.column('updated_at', sa.DateTime(timezone=True)))
    questions = sa.table(
        'question', sa.column('questionnaire_id', sa.Integer()), sa.column('position', sa.Integer()),
        sa.column('kind', sa.String()), sa.column('text', sa.String()),
        sa.column('required', sa.Boolean()), sa.column('options', sa.Text()),
        sa.column('low_label', sa.String()), sa.column('high_label', sa.String()),
        sa.column('overall', sa.Boolean()), sa.column('created_at', sa.DateTime(timezone=True)))
    now = datetime.now(UTC)
    connection = op.get_bind()
    for default in default_questionnaires():
        connection.execute(questionnaires.insert().values(
            key=default['key'], purpose=default['purpose'], event_kind=default['event_kind'],
            title=default['title'], intro=default['intro'], updated_at=now))
        questionnaire_id = connection.scalar(sa.select(questionnaires.c.id).where(
            questionnaires.c.key == default['key']))
        op.bulk_insert(questions, [
            {"questionnaire_id": questionnaire_id, "position": position, "created_at": now,
             **values} for position, values in enumerate(default['questions'], start=1)])


def downgrade():
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitation_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_invitation_registration_id'))
        batch_op.drop_index(batch_op.f('ix_survey_invitation_person_id'))
    op.drop_table('survey_invitation')
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answer_question_id'))
    op.drop_table('survey_answer')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_survey_id'))
    op.drop_table('survey_response')
    op.drop_table('resource_usefulness')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_questionnaire_id'))
        batch_op.drop_index(batch_op.f('ix_survey_purpose'))
        batch_op.drop_index(batch_op.f('ix_survey_event_id'))
    op.drop_table('survey')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_questionnaire_id'))
    op.drop_table('question')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_purpose'))
    op.drop_table('questionnaire')
