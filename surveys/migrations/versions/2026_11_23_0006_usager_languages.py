"""Questionnaire labels in the usager languages beyond French and English.

The criteria of the Qual-e-Pref questionnaire and its title in Spanish, Portuguese, Arabic,
Russian, Ukrainian, Turkish, Romanian and Simplified Chinese — the languages most heard in a
bureau des étrangers. A label a quality mission has already written is kept.

Revision ID: 0006_usager_languages
Revises: 0005_rating_tallies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_usager_languages"
down_revision = "0005_rating_tallies"
branch_labels = None
depends_on = None

LANGUAGES = ("es", "pt", "ar", "ru", "uk", "tr", "ro", "zh")

CRITERIA: dict[str, dict[str, str]] = {
    "overall": {
        "es": "Su satisfacción general con la atención y el servicio prestado",
        "pt": "A sua satisfação global com o atendimento e o serviço prestado",
        "ar": "رضاك العام عن الاستقبال والخدمة المقدَّمة",
        "ru": "Ваша общая оценка приёма и оказанной услуги",
        "uk": "Ваша загальна оцінка прийому та наданої послуги",
        "tr": "Karşılama ve verilen hizmetten genel memnuniyetiniz",
        "ro": "Satisfacția dumneavoastră generală față de primire și serviciul oferit",
        "zh": "您对接待和所提供服务的总体满意度",
    },
    "courtesy": {
        "es": "Cortesía y disponibilidad del personal",
        "pt": "Cortesia e disponibilidade dos funcionários",
        "ar": "لباقة الموظفين واستعدادهم للمساعدة",
        "ru": "Вежливость и внимательность сотрудников",
        "uk": "Ввічливість і уважність працівників",
        "tr": "Personelin nezaketi ve ilgisi",
        "ro": "Amabilitatea și disponibilitatea personalului",
        "zh": "工作人员的礼貌和服务态度",
    },
    "accessibility": {
        "es": "Atención a las personas con movilidad reducida",
        "pt": "Atenção às pessoas com mobilidade reduzida",
        "ar": "مراعاة الأشخاص ذوي الحركة المحدودة",
        "ru": "Учёт потребностей людей с ограниченной подвижностью",
        "uk": "Урахування потреб людей з обмеженою рухливістю",
        "tr": "Hareket kısıtlılığı olan kişilerin gözetilmesi",
        "ro": "Atenția acordată persoanelor cu mobilitate redusă",
        "zh": "对行动不便人士的照顾",
    },
    "clarity": {
        "es": "Lenguaje comprensible",
        "pt": "Linguagem compreensível",
        "ar": "لغة مفهومة",
        "ru": "Понятные объяснения",
        "uk": "Зрозумілі пояснення",
        "tr": "Anlaşılır bir dil",
        "ro": "Limbaj ușor de înțeles",
        "zh": "用语通俗易懂",
    },
    "orientation": {
        "es": "Orientación de los usuarios",
        "pt": "Orientação dos utentes",
        "ar": "توجيه المراجعين",
        "ru": "Помощь посетителям в ориентировании",
        "uk": "Допомога відвідувачам в орієнтуванні",
        "tr": "Ziyaretçilerin yönlendirilmesi",
        "ro": "Îndrumarea publicului",
        "zh": "对来访者的引导",
    },
    "signage": {
        "es": "Señalización adecuada",
        "pt": "Sinalética adequada",
        "ar": "لافتات إرشادية واضحة",
        "ru": "Понятные указатели",
        "uk": "Зрозумілі вказівники",
        "tr": "Yeterli yönlendirme levhaları",
        "ro": "Semnalizare adecvată",
        "zh": "标识清晰",
    },
    "comfort": {
        "es": "Comodidad de la zona de atención y calidad del equipamiento",
        "pt": "Conforto do espaço de atendimento e qualidade dos equipamentos",
        "ar": "راحة مكان الاستقبال وجودة تجهيزاته",
        "ru": "Удобство зоны приёма и качество оборудования",
        "uk": "Зручність зони прийому та якість обладнання",
        "tr": "Bekleme alanının konforu ve donanımın kalitesi",
        "ro": "Confortul spațiului de primire și calitatea dotărilor",
        "zh": "接待区的舒适度和设施质量",
    },
    "confidentiality": {
        "es": "Respeto de la confidencialidad",
        "pt": "Respeito pela confidencialidade",
        "ar": "احترام السرية",
        "ru": "Соблюдение конфиденциальности",
        "uk": "Дотримання конфіденційності",
        "tr": "Gizliliğe saygı",
        "ro": "Respectarea confidențialității",
        "zh": "对个人隐私的尊重",
    },
    "waiting_time": {
        "es": "Tiempo de espera",
        "pt": "Tempo de espera",
        "ar": "مدة الانتظار",
        "ru": "Время ожидания",
        "uk": "Час очікування",
        "tr": "Bekleme süresi",
        "ro": "Timpul de așteptare",
        "zh": "等候时间",
    },
    "effort": {
        "es": "Esfuerzo que le ha supuesto su trámite (1 = muy fácil, 5 = muy difícil)",
        "pt": "Esforço que o seu pedido lhe exigiu (1 = muito fácil, 5 = muito difícil)",
        "ar": "الجهد الذي بذلته لإتمام معاملتك (1 = سهل جدًا، 5 = صعب جدًا)",
        "ru": "Насколько сложно было решить ваш вопрос (1 — очень легко, 5 — очень трудно)",
        "uk": "Наскільки складно було вирішити ваше питання (1 — дуже легко, 5 — дуже важко)",
        "tr": "İşleminiz için harcadığınız çaba (1 = çok kolay, 5 = çok zor)",
        "ro": "Efortul depus pentru demersul dumneavoastră (1 = foarte ușor, 5 = foarte greu)",
        "zh": "办理事务的费力程度（1 = 非常容易，5 = 非常困难）",
    },
}

TITLES = {
    "qualepref-accueil": {
        "es": "Calidad de la atención presencial",
        "pt": "Qualidade do atendimento presencial",
        "ar": "جودة الاستقبال الحضوري",
        "ru": "Качество очного приёма",
        "uk": "Якість особистого прийому",
        "tr": "Yüz yüze karşılama hizmetinin kalitesi",
        "ro": "Calitatea primirii la ghișeu",
        "zh": "现场接待质量",
    }
}

criterion = sa.table(
    "criterion",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("labels", sa.JSON),
)
questionnaire = sa.table(
    "questionnaire",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("titles", sa.JSON),
)


def _merge(table, key_column, json_column, data: dict[str, dict[str, str]], add: bool) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(table.c.id, table.c[key_column], table.c[json_column]).where(
            table.c[key_column].in_(list(data))
        )
    ).all()
    for row_id, key, current in rows:
        values = dict(current or {})
        for language, text in data[key].items():
            if add:
                values.setdefault(language, text)
            elif values.get(language) == text:
                del values[language]
        connection.execute(table.update().where(table.c.id == row_id).values({json_column: values}))


def upgrade() -> None:
    _merge(criterion, "code", "labels", CRITERIA, add=True)
    _merge(questionnaire, "code", "titles", TITLES, add=True)


def downgrade() -> None:
    _merge(criterion, "code", "labels", CRITERIA, add=False)
    _merge(questionnaire, "code", "titles", TITLES, add=False)
