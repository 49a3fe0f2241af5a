"""Report strings in English and French (``t(lang, key)``); indicator labels live in the catalogue."""

from __future__ import annotations

__all__ = ["LANGUAGES", "STRINGS", "t", "translate_reason"]

LANGUAGES = ("en", "fr")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "report_title": "Evaluation report",
        "comparison_title": "Comparison of processes",
        "synthetic_banner": "SYNTHETIC example data: the figures below illustrate the report and describe no real process.",
        "generated": "Generated",
        "toc": "Contents",
        "summary": "Summary dashboard",
        "summary_intro": "Indicators of the deliberval catalogue {version}, organised as the OECD (2021) evaluation guidelines organise evaluation. Green: meets the threshold; orange: below it; grey: no threshold, not measured or suppressed.",
        "measured": "measured",
        "not_measured": "not measured",
        "suppressed": "suppressed",
        "meets": "meets the threshold",
        "below": "below the threshold",
        "no_threshold": "no threshold",
        "threshold": "threshold",
        "ci": "CI",
        "counts_line": "{measured} measured, {not_measured} not measured, {suppressed} suppressed",
        "participation": "Who took part",
        "participation_intro": "Composition of the citizen members at each stage of selection, against the population targets.",
        "experience": "The deliberative experience",
        "experience_intro": "Share of members agreeing (agree or strongly agree) with each statement after the process, by role.",
        "change": "Change in trust, efficacy and perceived influence",
        "change_intro": "Paired change from before to after the process among members who answered both surveys.",
        "did_intro": "Difference-in-differences against the control group (pooled OLS, cluster-robust SE); n is the number of respondents of the smaller group.",
        "uptake": "Recommendations and their uptake",
        "uptake_intro": "Status of every recommendation on the evaluation date and comparable uptake indicators.",
        "psychometrics": "Psychometric quality of the scales",
        "psychometrics_intro": "Reliability and one-factor structure of every multi-item scale, per wave (participants).",
        "data_quality": "Data quality",
        "data_quality_intro": "Validation of the responses against the instrument. Quarantined rows are left out of every analysis.",
        "methods": "Methods and provenance",
        "not_assessed": "Criteria not assessed",
        "not_assessed_intro": "Every indicator that could not be computed, and the data it would need.",
        "nothing_not_assessed": "Every indicator of the catalogue was assessed.",
        "disclosure_note": "Disclosure control: every count, share or mean based on fewer than {k} respondents is suppressed (shown as <{k} or ·).",
        "suppressed_rows": "{n} row(s) suppressed: fewer than {k} respondents.",
        "secondary_note": "Where one category of a dimension was suppressed, the next smallest was suppressed too so that it cannot be recovered by subtraction.",
        "not_available": "Not assessed: {reason}",
        "no_responses": "no responses file",
        "no_members": "no members / selection table",
        "no_targets": "no population targets",
        "no_register": "no recommendation register",
        "no_control": "no control group in the responses",
        "no_pairs": "no respondent answered both the pre and the post survey",
        "figure_suppressed": "Figure not drawn: every group is below the disclosure threshold.",
        "inputs": "Input files",
        "settings": "Settings",
        "free_text_note": "{n} free-text or unknown text column(s) excluded from the report: never published.",
        "rows_read": "rows read",
        "rows_valid": "rows analysed",
        "rows_quarantined": "rows quarantined",
        "process": "Process",
        "model": "Model",
        "commissioner": "Commissioner",
        "period": "Period",
        "members": "Members",
        "languages": "Languages",
        "stage": "Stage",
        "comparison_intro": "Indicators of each process side by side. Values not measured or suppressed are marked.",
        "model_section": "Cross-process model",
        "model_not_shown": "The cross-process mixed model is not shown: it needs at least {k} processes with individual change scores, and {n} were given. With fewer processes the between-process variance cannot be estimated reliably.",
        "model_intro": "Mixed model of the individual change in external efficacy (post minus pre, participating citizens) with a random intercept per process (REML).",
        "icc": "Intraclass correlation between processes",
        "yes": "yes",
        "no": "no",
        "methods_text": "Shares use Wilson score intervals, means t intervals, paired changes the paired t-test with the exact interval of d_z (Lakens 2013), DiD pooled OLS with cluster-robust standard errors; representativeness compares selected citizens with the targets (Duncan's index, exact multinomial tests); uptake follows the deliberval uptake coding scheme. All intervals are at the {level} level.",
        "members_by_role": "Members by role",
        "funnel": "Selection funnel (citizens)",
        "composition": "Composition of the selected citizens against the population",
        "uptake_status": "Status of the recommendations",
        "uptake_agenda": "Uptake by prior agenda status",
        "validation_summary": "Validation checks",
        "did_title": "Difference-in-differences",
    },
    "fr": {
        "report_title": "Rapport d'évaluation",
        "comparison_title": "Comparaison des processus",
        "synthetic_banner": "Données d'exemple SYNTHÉTIQUES : les chiffres ci-dessous illustrent le rapport et ne décrivent aucun processus réel.",
        "generated": "Produit le",
        "toc": "Sommaire",
        "summary": "Tableau de bord",
        "summary_intro": "Indicateurs du catalogue deliberval {version}, organisés comme les lignes directrices d'évaluation de l'OCDE (2021). Vert : seuil atteint ; orange : en dessous ; gris : sans seuil, non mesuré ou masqué.",
        "measured": "mesuré",
        "not_measured": "non mesuré",
        "suppressed": "masqué",
        "meets": "seuil atteint",
        "below": "sous le seuil",
        "no_threshold": "sans seuil",
        "threshold": "seuil",
        "ci": "IC",
        "counts_line": "{measured} mesurés, {not_measured} non mesurés, {suppressed} masqués",
        "participation": "Qui a participé",
        "participation_intro": "Composition des membres citoyens à chaque étape de la sélection, comparée aux cibles de population.",
        "experience": "L'expérience délibérative",
        "experience_intro": "Part des membres d'accord (d'accord ou tout à fait d'accord) avec chaque affirmation après le processus, par rôle.",
        "change": "Évolution de la confiance, de l'efficacité et de l'influence perçue",
        "change_intro": "Évolution appariée entre avant et après le processus parmi les membres ayant répondu aux deux enquêtes.",
        "did_intro": "Doubles différences par rapport au groupe témoin (MCO groupés, erreurs robustes par grappe) ; n est le nombre de répondants du plus petit groupe.",
        "uptake": "Recommandations et suites données",
        "uptake_intro": "Statut de chaque recommandation à la date d'évaluation et indicateurs comparables de prise en compte.",
        "psychometrics": "Qualité psychométrique des échelles",
        "psychometrics_intro": "Fiabilité et structure à un facteur de chaque échelle à plusieurs items, par vague (participants).",
        "data_quality": "Qualité des données",
        "data_quality_intro": "Validation des réponses par rapport à l'instrument. Les lignes en quarantaine sont exclues de toutes les analyses.",
        "methods": "Méthodes et provenance",
        "not_assessed": "Critères non évalués",
        "not_assessed_intro": "Chaque indicateur qui n'a pas pu être calculé, et les données qui seraient nécessaires.",
        "nothing_not_assessed": "Tous les indicateurs du catalogue ont été évalués.",
        "disclosure_note": "Contrôle de divulgation : tout effectif, part ou moyenne reposant sur moins de {k} répondants est masqué (affiché <{k} ou ·).",
        "suppressed_rows": "{n} ligne(s) masquée(s) : moins de {k} répondants.",
        "secondary_note": "Lorsqu'une catégorie d'une dimension est masquée, la plus petite suivante l'est aussi pour qu'elle ne puisse être retrouvée par soustraction.",
        "not_available": "Non évalué : {reason}",
        "no_responses": "pas de fichier de réponses",
        "no_members": "pas de table des membres / de la sélection",
        "no_targets": "pas de cibles de population",
        "no_register": "pas de registre des recommandations",
        "no_control": "pas de groupe témoin dans les réponses",
        "no_pairs": "aucun répondant n'a répondu avant et après",
        "figure_suppressed": "Figure non tracée : tous les groupes sont sous le seuil de divulgation.",
        "inputs": "Fichiers d'entrée",
        "settings": "Paramètres",
        "free_text_note": "{n} colonne(s) de texte libre ou inconnue(s) exclue(s) du rapport : jamais publiées.",
        "rows_read": "lignes lues",
        "rows_valid": "lignes analysées",
        "rows_quarantined": "lignes en quarantaine",
        "process": "Processus",
        "model": "Modèle",
        "commissioner": "Commanditaire",
        "period": "Période",
        "members": "Membres",
        "languages": "Langues",
        "stage": "Étape",
        "comparison_intro": "Indicateurs de chaque processus côte à côte. Les valeurs non mesurées ou masquées sont signalées.",
        "model_section": "Modèle entre processus",
        "model_not_shown": "Le modèle mixte entre processus n'est pas présenté : il faut au moins {k} processus avec des évolutions individuelles, et {n} ont été fournis. Avec moins de processus, la variance entre processus ne peut être estimée de façon fiable.",
        "model_intro": "Modèle mixte de l'évolution individuelle de l'efficacité externe (après moins avant, citoyens participants) avec une constante aléatoire par processus (REML).",
        "icc": "Corrélation intraclasse entre processus",
        "yes": "oui",
        "no": "non",
        "methods_text": "Les parts utilisent des intervalles de Wilson, les moyennes des intervalles t, les évolutions appariées le test t apparié avec l'intervalle exact de d_z (Lakens 2013), les doubles différences des MCO groupés avec erreurs robustes par grappe ; la représentativité compare les citoyens tirés au sort aux cibles (indice de Duncan, tests multinomiaux exacts) ; la prise en compte suit le schéma de codage deliberval. Tous les intervalles sont au niveau {level}.",
        "members_by_role": "Membres par rôle",
        "funnel": "Entonnoir de sélection (citoyens)",
        "composition": "Composition des citoyens tirés au sort comparée à la population",
        "uptake_status": "Statut des recommandations",
        "uptake_agenda": "Prise en compte selon l'inscription préalable à l'agenda",
        "validation_summary": "Contrôles de validation",
        "did_title": "Doubles différences",
    },
}

#: Column headers of the report tables.
COLUMNS: dict[str, dict[str, str]] = {
    "en": {
        "indicator": "Indicator", "label": "Indicator", "criterion": "Criterion", "estimate": "Estimate",
        "ci": "95% CI", "n": "n", "status": "Status", "status_reason": "Reason", "data_source": "Data source",
        "stage": "Stage", "retained": "Retained", "mean_duncan": "Mean Duncan index",
        "dimension": "Dimension", "category": "Category", "panel_n": "Members", "panel_share": "Share",
        "target_share": "Target", "difference_pp": "Difference (pp)", "role": "Role", "item": "Statement",
        "share_agree": "Agree", "outcome": "Outcome", "mean_pre": "Before", "mean_post": "After",
        "mean_diff": "Change", "d_z": "d_z", "p_holm": "p (Holm)", "model": "Model", "p": "p",
        "scale": "Scale", "n_items": "Items", "cronbach_alpha": "Alpha", "omega_total": "Omega",
        "cfi": "CFI", "rmsea": "RMSEA", "flags": "Flags", "check": "Check", "severity": "Severity",
        "column": "Column", "reason": "Reason", "count": "Count", "file": "File", "sha256": "SHA-256",
        "rows": "Rows", "setting": "Setting", "value": "Value", "group": "Group", "wave": "Wave",
        "mean": "Mean", "comparison": "Comparison", "term": "Term", "threshold": "Threshold",
        "ci_low": "CI low", "ci_high": "CI high", "ci_low_pp": "CI low (pp)", "ci_high_pp": "CI high (pp)",
        "alpha_ci_low": "Alpha CI low", "alpha_ci_high": "Alpha CI high", "prior_agenda": "Already on the agenda",
    },
    "fr": {
        "indicator": "Indicateur", "label": "Indicateur", "criterion": "Critère", "estimate": "Estimation",
        "ci": "IC 95 %", "n": "n", "status": "Statut", "status_reason": "Motif", "data_source": "Source",
        "stage": "Étape", "retained": "Retenus", "mean_duncan": "Indice de Duncan moyen",
        "dimension": "Dimension", "category": "Catégorie", "panel_n": "Membres", "panel_share": "Part",
        "target_share": "Cible", "difference_pp": "Écart (pts)", "role": "Rôle", "item": "Affirmation",
        "share_agree": "D'accord", "outcome": "Mesure", "mean_pre": "Avant", "mean_post": "Après",
        "mean_diff": "Évolution", "d_z": "d_z", "p_holm": "p (Holm)", "model": "Modèle", "p": "p",
        "scale": "Échelle", "n_items": "Items", "cronbach_alpha": "Alpha", "omega_total": "Oméga",
        "cfi": "CFI", "rmsea": "RMSEA", "flags": "Signalements", "check": "Contrôle", "severity": "Gravité",
        "column": "Colonne", "reason": "Motif", "count": "Effectif", "file": "Fichier", "sha256": "SHA-256",
        "rows": "Lignes", "setting": "Paramètre", "value": "Valeur", "group": "Groupe", "wave": "Vague",
        "mean": "Moyenne", "comparison": "Comparaison", "term": "Terme", "threshold": "Seuil",
        "ci_low": "IC bas", "ci_high": "IC haut", "ci_low_pp": "IC bas (pts)", "ci_high_pp": "IC haut (pts)",
        "alpha_ci_low": "Alpha IC bas", "alpha_ci_high": "Alpha IC haut", "prior_agenda": "Déjà à l'agenda",
    },
}

#: Display names of codes used in the tables.
CODES: dict[str, dict[str, str]] = {
    "en": {
        "citizen": "citizens", "politician": "politicians", "civil_servant": "civil servants",
        "organiser": "organisers", "stakeholder": "stakeholders", "all": "all",
        "participant": "participants", "control": "control group", "population": "population",
        "pre": "before", "post": "after", "follow_up": "follow-up",
        "invited": "invited", "volunteered": "volunteered", "selected": "selected",
        "attended_all": "attended every session", "answered_post": "answered the post survey",
        "trust_political_institutions": "Trust in political institutions (0-10)",
        "internal_efficacy": "Internal political efficacy (1-5)",
        "external_efficacy": "External political efficacy (1-5)",
        "deliberative_quality": "Deliberative quality (1-5)",
        "hybrid_openness": "Openness to citizens' input (1-5)",
        "influence_have_say": "People like me have a say (0-10)",
        "influence_confidence_response": "Confident the authority will respond (1-5)",
        "pooled_ols": "pooled OLS", "individual_fe": "individual fixed effects",
        "baseline_difference": "baseline difference",
        "design_integrity": "Process design integrity",
        "deliberative_experience": "Sound deliberative process",
        "pathways_to_impact": "Pathways to impact",
        "any_public_response": "public response", "answered_within_deadline": "answered within the deadline",
        "rejected_with_reasons": "rejected with reasons", "rejected_without_reasons": "rejected without reasons",
        "uptake_rate": "accepted in principle or better", "fidelity_weighted_uptake": "uptake weighted by fidelity",
        "implementation_rate": "implemented", "no_response": "no response", "acknowledged": "acknowledged",
        "referred_for_study": "referred for study", "accepted_in_principle": "accepted in principle",
        "partially_implemented": "partially implemented", "implemented": "implemented",
        "yes": "yes", "no": "no", "unknown": "unknown",
    },
    "fr": {
        "citizen": "citoyens", "politician": "élus", "civil_servant": "fonctionnaires",
        "organiser": "organisateurs", "stakeholder": "parties prenantes", "all": "tous",
        "participant": "participants", "control": "groupe témoin", "population": "population",
        "pre": "avant", "post": "après", "follow_up": "suivi",
        "invited": "invités", "volunteered": "volontaires", "selected": "tirés au sort",
        "attended_all": "présents à toutes les sessions", "answered_post": "ont répondu après",
        "trust_political_institutions": "Confiance dans les institutions politiques (0-10)",
        "internal_efficacy": "Efficacité politique interne (1-5)",
        "external_efficacy": "Efficacité politique externe (1-5)",
        "deliberative_quality": "Qualité délibérative (1-5)",
        "hybrid_openness": "Ouverture aux apports des citoyens (1-5)",
        "influence_have_say": "Les gens comme moi ont leur mot à dire (0-10)",
        "influence_confidence_response": "Confiance dans la réponse de l'autorité (1-5)",
        "pooled_ols": "MCO groupés", "individual_fe": "effets fixes individuels",
        "baseline_difference": "écart initial",
        "design_integrity": "Intégrité de la conception",
        "deliberative_experience": "Qualité du processus délibératif",
        "pathways_to_impact": "Voies d'impact",
        "any_public_response": "réponse publique", "answered_within_deadline": "réponse dans le délai",
        "rejected_with_reasons": "rejetée avec justification", "rejected_without_reasons": "rejetée sans justification",
        "uptake_rate": "acceptée en principe ou mieux", "fidelity_weighted_uptake": "prise en compte pondérée par la fidélité",
        "implementation_rate": "mise en œuvre", "no_response": "sans réponse", "acknowledged": "accusé de réception",
        "referred_for_study": "renvoyée pour étude", "accepted_in_principle": "acceptée en principe",
        "partially_implemented": "partiellement mise en œuvre", "implemented": "mise en œuvre",
        "yes": "oui", "no": "non", "unknown": "inconnu",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """A report string in ``lang`` (English when missing), with ``{placeholders}`` filled.

    Examples
    --------
    >>> t("fr", "suppressed_rows", n=2, k=5)
    '2 ligne(s) masquée(s) : moins de 5 répondants.'
    """
    table = STRINGS.get(lang, STRINGS["en"])
    text = table.get(key, STRINGS["en"][key])
    return text.format(**values) if values else text


#: French renderings of the reasons :func:`deliberval.indicators` gives (regex -> template).
_REASONS_FR: list[tuple[str, str]] = [
    (r"^no responses table$", "pas de table des réponses"),
    (r"^no (pre|post|follow_up) responses of participant (.+)s$", r"pas de réponses « \1 » des participants (\2)"),
    (r"^(item|scale) '(.+)' is not in the responses$", r"\1 « \2 » absent des réponses"),
    (r"^(item|scale) '(.+)' has no valid answer$", r"\1 « \2 » sans réponse valide"),
    (r"^scale '(.+)' was not measured$", r"échelle « \1 » non mesurée"),
    (r"^no control group in the responses \(group == 'control'\)$",
     "pas de groupe témoin dans les réponses (group == 'control')"),
    (r"^no members table( \(selection funnel\))?$", "pas de table des membres (entonnoir de sélection)"),
    (r"^no population targets table$", "pas de table des cibles de population"),
    (r"^members have none of the target dimensions (.+)$", r"les membres n'ont aucune des dimensions cibles \1"),
    (r"^members table has no stage column\(s\) (.+)$", r"la table des membres n'a pas les colonnes d'étape \1"),
    (r"^every person in the members table volunteered \(open call\).*$",
     "toutes les personnes de la table des membres sont volontaires (appel ouvert) : la population "
     "invitée qui ne s'est pas portée volontaire n'est pas enregistrée"),
    (r"^no selected citizens in the members table$", "aucun citoyen tiré au sort dans la table des membres"),
    (r"^no recommendation register.*$", "pas de registre des recommandations (recommandations et réponses)"),
    (r"^no evaluation date \(as_of\) and no dated response event$",
     "pas de date d'évaluation (as_of) ni de réponse datée"),
    (r"^the register has no recommendations both on and off the prior agenda$",
     "le registre n'a pas de recommandations à la fois inscrites et non inscrites à l'agenda"),
    (r"^no response deadline given \(process:response_deadline_days\)$",
     "pas de délai de réponse indiqué (process:response_deadline_days)"),
    (r"^no follow_up wave in the responses and no 'aftercare' field in the process table$",
     "pas de vague de suivi dans les réponses ni de champ « aftercare » dans la table du processus"),
    (r"^the process table has no '(.+)' field \(documentation by the organiser\)$",
     r"la table du processus n'a pas de champ « \1 » (documentation de l'organisateur)"),
    (r"^based on fewer than (\d+) respondents \(disclosure control\)$",
     r"repose sur moins de \1 répondants (contrôle de divulgation)"),
    (r"^could not be computed: (.+)$", r"calcul impossible : \1"),
]


def translate_reason(reason: str, lang: str) -> str:
    """A status reason of :func:`deliberval.indicators` in ``lang`` (unchanged when unknown).

    Examples
    --------
    >>> translate_reason("no control group in the responses (group == 'control')", "fr")
    "pas de groupe témoin dans les réponses (group == 'control')"
    >>> translate_reason("based on fewer than 5 respondents (disclosure control)", "fr")
    'repose sur moins de 5 répondants (contrôle de divulgation)'
    """
    if lang != "fr":
        return reason
    import re

    for pattern, template in _REASONS_FR:
        if re.match(pattern, reason):
            return re.sub(pattern, template, reason)
    return reason
