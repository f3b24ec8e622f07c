"""Italian narration: the same template groups, tones and lengths as en.py."""

LOCALE = {
    "cldr": "it",  # number, list and plural rules: Italian
    # noun forms by CLDR plural category, for `{count|noun}` (Italian has "one", "many" for millions, "other")
    "nouns": {"lap": {"one": "giro", "other": "giri"}, "place": {"one": "posizione", "other": "posizioni"},
              "place_gained": {"one": "posizione guadagnata", "other": "posizioni guadagnate"},
              "place_lost": {"one": "posizione persa", "other": "posizioni perse"},
              "point": {"one": "punto", "other": "punti"}, "car": {"one": "vettura", "other": "vetture"},
              "car_pitted": {"one": "vettura si è fiondata", "other": "vetture si sono fiondate"},
              "stop": {"one": "sosta", "other": "soste"}},
    # the calendar's (English) race names
    "races": {
        "70th Anniversary Grand Prix": "Gran Premio del 70º Anniversario",
        "Abu Dhabi Grand Prix": "Gran Premio di Abu Dhabi",
        "Australian Grand Prix": "Gran Premio d'Australia",
        "Austrian Grand Prix": "Gran Premio d'Austria",
        "Azerbaijan Grand Prix": "Gran Premio dell'Azerbaigian",
        "Bahrain Grand Prix": "Gran Premio del Bahrein",
        "Belgian Grand Prix": "Gran Premio del Belgio",
        "Brazilian Grand Prix": "Gran Premio del Brasile",
        "British Grand Prix": "Gran Premio di Gran Bretagna",
        "Canadian Grand Prix": "Gran Premio del Canada",
        "Chinese Grand Prix": "Gran Premio di Cina",
        "Dutch Grand Prix": "Gran Premio d'Olanda",
        "Eifel Grand Prix": "Gran Premio dell'Eifel",
        "Emilia Romagna Grand Prix": "Gran Premio dell'Emilia-Romagna",
        "French Grand Prix": "Gran Premio di Francia",
        "German Grand Prix": "Gran Premio di Germania",
        "Hungarian Grand Prix": "Gran Premio d'Ungheria",
        "Italian Grand Prix": "Gran Premio d'Italia",
        "Japanese Grand Prix": "Gran Premio del Giappone",
        "Las Vegas Grand Prix": "Gran Premio di Las Vegas",
        "Mexican Grand Prix": "Gran Premio del Messico",
        "Mexico City Grand Prix": "Gran Premio di Città del Messico",
        "Miami Grand Prix": "Gran Premio di Miami",
        "Monaco Grand Prix": "Gran Premio di Monaco",
        "Portuguese Grand Prix": "Gran Premio del Portogallo",
        "Qatar Grand Prix": "Gran Premio del Qatar",
        "Russian Grand Prix": "Gran Premio di Russia",
        "Sakhir Grand Prix": "Gran Premio di Sakhir",
        "Saudi Arabian Grand Prix": "Gran Premio dell'Arabia Saudita",
        "Singapore Grand Prix": "Gran Premio di Singapore",
        "Spanish Grand Prix": "Gran Premio di Spagna",
        "Styrian Grand Prix": "Gran Premio di Stiria",
        "São Paulo Grand Prix": "Gran Premio di San Paolo",
        "Turkish Grand Prix": "Gran Premio di Turchia",
        "Tuscan Grand Prix": "Gran Premio della Toscana",
        "United States Grand Prix": "Gran Premio degli Stati Uniti",
    },
    "phrases": {
        "gained": {"up": "{gained_abs} {gained|place_gained}", "down": "{gained_abs} {gained|place_lost}",
                   "none": "nessuna posizione guadagnata o persa"},
        "change_points": {"up": "Il margine è cresciuto di {change_points_abs} {change_points|point} in questa gara.",
                          "down": "Il margine si è ridotto di {change_points_abs} {change_points|point} in questa "
                                  "gara.",
                          "none": "Il margine non è cambiato in questa gara."},
        "how": {"start": "al via", "on_track": "con un sorpasso in pista", "pit_stop": "approfittando della sosta "
                "del leader", "other": "nel rimescolamento delle posizioni"},
        "period": {"SC": "safety car", "VSC": "virtual safety car", "RED": "bandiera rossa"},
        "compound": {"SOFT": "gomme soft", "MEDIUM": "gomme medie", "HARD": "gomme dure",
                     "INTERMEDIATE": "intermedie", "WET": "gomme da bagnato estremo", "UNKNOWN": "gomme sconosciute"},
        "involved": "dopo un incidente che ha coinvolto {involved_names}",
        "involved_none": "per liberare la pista",
        "turning_leader": "{new_leader} ne è uscito in testa",
        "turning_gainer": "{gainer} ha guadagnato {gained} {gained|place}",
        "turning_none": "l'ordine è rimasto invariato",
        "margin": "con {margin_s} s di vantaggio",
        "margin_none": "",
        "swing": {"championship_lead": "strappa la testa del campionato a {old_leader}",
                  "championship_extend": "allunga in testa al campionato",
                  "championship_close": "vede ridursi il vantaggio in campionato"},
    },
    "templates": {
        "race_result": {
            "neutral": {"short": "{driver} vince il {race}.",
                        "medium": "{driver} vince il {race} con la {team} {margin_text}, davanti a {second} e "
                                  "{third}.",
                        "long": "{medium} {driver} è partito dalla posizione {grid} ed è stato in testa per "
                                "{laps_led} {laps_led|lap}."},
            "casual": {"short": "{driver} si prende la vittoria nel {race}!",
                       "medium": "Che giornata per {driver}: vittoria nel {race}, con {second} e {third} sul podio!",
                       "long": "{medium} Dalla P{grid}, {laps_led} {laps_led|lap} al comando e la {team} in festa."},
            "technical": {"short": "P1 {driver} ({team}), {race}.",
                          "medium": "{driver} P1 {margin_text} su {second}; P3 {third}. Griglia P{grid}.",
                          "long": "{medium} Giri al comando: {laps_led}."},
        },
        "lead_change": {
            "neutral": {"short": "{driver} prende la testa a {other} al giro {lap}.",
                        "medium": "{driver} prende la testa a {other} {how_text} al giro {lap}.",
                        "long": "{medium} Un cambio al vertice che ridisegna la gara."},
            "casual": {"short": "Nuovo leader! {driver} davanti a tutti al giro {lap}!",
                       "medium": "Nuovo leader! {driver} passa {other} {how_text} al giro {lap}!",
                       "long": "{medium} Ora tocca a {other} reagire."},
            "technical": {"short": "G{lap}: P1 {other} -> {driver}.",
                          "medium": "G{lap}: la P1 passa da {other} a {driver} ({how_text}).",
                          "long": "{medium} Cambio di leader registrato alla fine del giro {lap}."},
        },
        "overtake": {
            "neutral": {"short": "{driver} supera {other} per la P{position} al giro {lap}.",
                        "medium": "{driver} supera {other} per la P{position} al giro {lap}, con {compound} contro "
                                  "{other_compound}.",
                        "long": "{medium} La differenza di età delle gomme era di {tyre_age_delta_laps} "
                                "{tyre_age_delta_laps|lap}."},
            "casual": {"short": "{driver} infila {other}! P{position} al giro {lap}!",
                       "medium": "Che manovra di {driver}, che si butta all'interno e passa {other} per la "
                                 "P{position} al giro {lap}!",
                       "long": "{medium} {driver} con {compound}, {other} con {other_compound}."},
            "technical": {"short": "G{lap}: {driver} > {other}, P{position}.",
                          "medium": "G{lap}: {driver} supera {other} per la P{position}; {compound} contro "
                                    "{other_compound}.",
                          "long": "{medium} Differenza di età gomme: {tyre_age_delta_laps} "
                                  "{tyre_age_delta_laps|lap} a favore dell'attaccante."},
        },
        "undercut": {
            "neutral": {"short": "L'undercut riesce a {driver} ai danni di {other}.",
                        "medium": "{driver} si ferma al giro {stop_lap}, prima di {other} (giro {rival_stop_lap}), "
                                  "ed esce davanti.",
                        "long": "{medium} {gap_before_s} s dietro prima delle soste, {gap_after_s} s davanti dopo, "
                                "ora P{position}."},
            "casual": {"short": "Undercut! {driver} beffa {other} ai box!",
                       "medium": "Mossa azzeccata: {driver} si ferma per primo al giro {stop_lap} e passa {other} "
                                 "quando rientra al giro {rival_stop_lap}!",
                       "long": "{medium} Da {gap_before_s} s dietro a {gap_after_s} s davanti: P{position}."},
            "technical": {"short": "Undercut: {driver} su {other}.",
                          "medium": "Undercut: {driver} sosta al G{stop_lap}, {other} al G{rival_stop_lap}; "
                                    "posizione guadagnata.",
                          "long": "{medium} Distacco {gap_before_s} s dietro -> {gap_after_s} s davanti, "
                                  "P{position}."},
        },
        "fastest_lap": {
            "neutral": {"short": "{driver} firma il giro più veloce.",
                        "medium": "{driver} firma il giro più veloce della gara, {lap_time} al giro {lap}.",
                        "long": "{medium} Con {compound} di {tyre_life_laps} {tyre_life_laps|lap}."},
            "casual": {"short": "Giro viola per {driver}!",
                       "medium": "{driver} si colora di viola: {lap_time} al giro {lap}, il più veloce di tutti!",
                       "long": "{medium} E con {compound} di {tyre_life_laps} {tyre_life_laps|lap}."},
            "technical": {"short": "Giro più veloce: {driver}, {lap_time}.",
                          "medium": "Giro più veloce: {driver}, {lap_time}, G{lap}.",
                          "long": "{medium} Gomme: {compound}, {tyre_life_laps} {tyre_life_laps|lap} di utilizzo."},
        },
        "strategy_gamble": {
            "neutral": {"short": "{driver} chiude P{position} con una strategia diversa (soste: {stops}).",
                        "medium": "{driver} chiude P{position} con {stops} {stops|stop}, contro le {usual_stops} "
                                  "della maggioranza.",
                        "long": "{medium} Partito P{grid}: {gained_text}."},
            "casual": {"short": "Piano diverso per {driver}: {stops} {stops|stop}, P{position}!",
                       "medium": "{driver} tenta l'azzardo con {stops} {stops|stop} mentre gli altri ne fanno "
                                 "{usual_stops}, e chiude P{position}!",
                       "long": "{medium} Dalla P{grid}: {gained_text}."},
            "technical": {"short": "{driver}: {stops} {stops|stop}, P{position}.",
                          "medium": "{driver}: {stops} {stops|stop} contro {usual_stops} del gruppo; "
                                    "P{grid} -> P{position}.",
                          "long": "{medium} Posizioni nette: {gained_signed}."},
        },
        "championship": {
            "neutral": {"short": "{driver} {swing_text}.",
                        "medium": "{driver} {swing_text}: {margin_points} {margin_points|point} su {other}.",
                        "long": "{medium} {change_points_text}"},
            "casual": {"short": "Lotta per il titolo: {driver} {swing_text}!",
                       "medium": "Lotta per il titolo: {driver} {swing_text} e ora ha {margin_points} "
                                 "{margin_points|point} su {other}!",
                       "long": "{medium} Uno scossone di {change_points_abs} {change_points|point} in un solo "
                               "pomeriggio."},
            "technical": {"short": "Classifica: {driver} P1, +{margin_points} pt.",
                          "medium": "Classifica: {driver} P1, +{margin_points} pt su {other} ({swing_text}).",
                          "long": "{medium} Variazione del margine in questa gara: {change_points_signed} pt."},
        },
        "neutralisation": {
            "neutral": {"short": "{period_text} al giro {start_lap}.",
                        "medium": "{period_text} al giro {start_lap} {involved_text}.",
                        "long": "{medium} Giri neutralizzati: {laps}; vetture ai box: {pitted}; {turning_text}."},
            "casual": {"short": "{period_text} in pista al giro {start_lap}!",
                       "medium": "Colpo di scena! {period_text} al giro {start_lap} {involved_text}!",
                       "long": "{medium} {pitted} {pitted|car_pitted} ai box e {turning_text}."},
            "technical": {"short": "{period_text}: G{start_lap}-G{end_lap}.",
                          "medium": "{period_text}: G{start_lap}-G{end_lap}, {involved_text}.",
                          "long": "{medium} Giri neutralizzati: {laps}; ingressi ai box: {pitted}; esito: "
                                  "{turning_text}."},
        },
    },
}
