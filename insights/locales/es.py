"""Spanish narration: the same template groups, tones and lengths as en.py."""

LOCALE = {
    "cldr": "es",  # number, list and plural rules: Spanish (Spain)
    # noun forms by CLDR plural category, for `{count|noun}`
    "nouns": {"lap": {"one": "vuelta", "other": "vueltas"}, "place": {"one": "posición", "other": "posiciones"},
              "place_gained": {"one": "posición ganada", "other": "posiciones ganadas"},
              "place_lost": {"one": "posición perdida", "other": "posiciones perdidas"},
              "point": {"one": "punto", "other": "puntos"}, "car": {"one": "coche", "other": "coches"},
              "car_pitted": {"one": "coche se lanzó", "other": "coches se lanzaron"},
              "stop": {"one": "parada", "other": "paradas"}},
    # the calendar's (English) race names
    "races": {
        "70th Anniversary Grand Prix": "Gran Premio del 70º Aniversario",
        "Abu Dhabi Grand Prix": "Gran Premio de Abu Dabi",
        "Australian Grand Prix": "Gran Premio de Australia",
        "Austrian Grand Prix": "Gran Premio de Austria",
        "Azerbaijan Grand Prix": "Gran Premio de Azerbaiyán",
        "Bahrain Grand Prix": "Gran Premio de Baréin",
        "Belgian Grand Prix": "Gran Premio de Bélgica",
        "Brazilian Grand Prix": "Gran Premio de Brasil",
        "British Grand Prix": "Gran Premio de Gran Bretaña",
        "Canadian Grand Prix": "Gran Premio de Canadá",
        "Chinese Grand Prix": "Gran Premio de China",
        "Dutch Grand Prix": "Gran Premio de los Países Bajos",
        "Eifel Grand Prix": "Gran Premio de Eifel",
        "Emilia Romagna Grand Prix": "Gran Premio de Emilia-Romaña",
        "French Grand Prix": "Gran Premio de Francia",
        "German Grand Prix": "Gran Premio de Alemania",
        "Hungarian Grand Prix": "Gran Premio de Hungría",
        "Italian Grand Prix": "Gran Premio de Italia",
        "Japanese Grand Prix": "Gran Premio de Japón",
        "Las Vegas Grand Prix": "Gran Premio de Las Vegas",
        "Mexican Grand Prix": "Gran Premio de México",
        "Mexico City Grand Prix": "Gran Premio de la Ciudad de México",
        "Miami Grand Prix": "Gran Premio de Miami",
        "Monaco Grand Prix": "Gran Premio de Mónaco",
        "Portuguese Grand Prix": "Gran Premio de Portugal",
        "Qatar Grand Prix": "Gran Premio de Catar",
        "Russian Grand Prix": "Gran Premio de Rusia",
        "Sakhir Grand Prix": "Gran Premio de Sakhir",
        "Saudi Arabian Grand Prix": "Gran Premio de Arabia Saudí",
        "Singapore Grand Prix": "Gran Premio de Singapur",
        "Spanish Grand Prix": "Gran Premio de España",
        "Styrian Grand Prix": "Gran Premio de Estiria",
        "São Paulo Grand Prix": "Gran Premio de São Paulo",
        "Turkish Grand Prix": "Gran Premio de Turquía",
        "Tuscan Grand Prix": "Gran Premio de la Toscana",
        "United States Grand Prix": "Gran Premio de Estados Unidos",
    },
    "phrases": {
        "gained": {"up": "{gained_abs} {gained|place_gained}", "down": "{gained_abs} {gained|place_lost}",
                   "none": "sin posiciones ganadas ni perdidas"},
        "change_points": {"up": "La diferencia creció {change_points_abs} {change_points|point} en esta carrera.",
                          "down": "La diferencia se redujo {change_points_abs} {change_points|point} en esta "
                                  "carrera.",
                          "none": "La diferencia no cambió en esta carrera."},
        "how": {"start": "en la salida", "on_track": "con un adelantamiento en pista",
                "pit_stop": "aprovechando la parada del líder", "other": "en el baile de posiciones"},
        "period": {"SC": "coche de seguridad", "VSC": "coche de seguridad virtual", "RED": "bandera roja"},
        "compound": {"SOFT": "blandos", "MEDIUM": "medios", "HARD": "duros", "INTERMEDIATE": "intermedios",
                     "WET": "de lluvia extrema", "UNKNOWN": "neumáticos desconocidos"},
        "involved": "tras un incidente con {involved_names}",
        "involved_none": "para despejar la pista",
        "turning_leader": "{new_leader} salió de ella como líder",
        "turning_gainer": "{gainer} ganó {gained} {gained|place}",
        "turning_none": "el orden se mantuvo",
        "margin": "por {margin_s} s",
        "margin_none": "",
        "swing": {"championship_lead": "arrebata el liderato del campeonato a {old_leader}",
                  "championship_extend": "amplía su ventaja en el campeonato",
                  "championship_close": "ve reducida su ventaja en el campeonato"},
    },
    "templates": {
        "race_result": {
            "neutral": {"short": "{driver} gana el {race}.",
                        "medium": "{driver} gana el {race} con {team} {margin_text}, por delante de {second} y "
                                  "{third}.",
                        "long": "{medium} {driver} salió desde la posición {grid} y lideró {laps_led} "
                                "{laps_led|lap}."},
            "casual": {"short": "¡{driver} se lleva la victoria en el {race}!",
                       "medium": "¡Día redondo para {driver}: victoria en el {race}, con {second} y {third} en el "
                                 "podio!",
                       "long": "{medium} Desde la P{grid}, {laps_led} {laps_led|lap} en cabeza y {team} de fiesta."},
            "technical": {"short": "P1 {driver} ({team}), {race}.",
                          "medium": "{driver} P1 {margin_text} sobre {second}; P3 {third}. Parrilla P{grid}.",
                          "long": "{medium} Vueltas lideradas: {laps_led}."},
        },
        "lead_change": {
            "neutral": {"short": "{driver} toma el liderato a {other} en la vuelta {lap}.",
                        "medium": "{driver} toma el liderato a {other} {how_text} en la vuelta {lap}.",
                        "long": "{medium} Un cambio en cabeza que redefine la carrera."},
            "casual": {"short": "¡Nuevo líder! {driver} manda en la vuelta {lap}!",
                       "medium": "¡Nuevo líder! {driver} supera a {other} {how_text} en la vuelta {lap}!",
                       "long": "{medium} {other} tendrá que reaccionar."},
            "technical": {"short": "V{lap}: P1 {other} -> {driver}.",
                          "medium": "V{lap}: el P1 pasa de {other} a {driver} ({how_text}).",
                          "long": "{medium} Cambio de líder registrado al final de la vuelta {lap}."},
        },
        "overtake": {
            "neutral": {"short": "{driver} adelanta a {other} por la P{position} en la vuelta {lap}.",
                        "medium": "{driver} adelanta a {other} por la P{position} en la vuelta {lap}, con "
                                  "{compound} frente a {other_compound}.",
                        "long": "{medium} La diferencia de edad de neumáticos era de {tyre_age_delta_laps} "
                                "{tyre_age_delta_laps|lap}."},
            "casual": {"short": "¡{driver} se come a {other}! P{position} en la vuelta {lap}!",
                       "medium": "¡Genial {driver}, que se tira por dentro y supera a {other} por la P{position} "
                                 "en la vuelta {lap}!",
                       "long": "{medium} {driver} con {compound}, {other} con {other_compound}."},
            "technical": {"short": "V{lap}: {driver} > {other}, P{position}.",
                          "medium": "V{lap}: {driver} supera a {other} por la P{position}; {compound} frente a "
                                    "{other_compound}.",
                          "long": "{medium} Diferencia de edad de neumáticos: {tyre_age_delta_laps} "
                                  "{tyre_age_delta_laps|lap} a favor del atacante."},
        },
        "undercut": {
            "neutral": {"short": "El undercut le sale bien a {driver} frente a {other}.",
                        "medium": "{driver} para en la vuelta {stop_lap}, antes que {other} (vuelta "
                                  "{rival_stop_lap}), y sale por delante.",
                        "long": "{medium} A {gap_before_s} s antes de las paradas, {gap_after_s} s por delante "
                                "después, ahora P{position}."},
            "casual": {"short": "¡Undercut! {driver} supera a {other} en boxes!",
                       "medium": "¡Jugada maestra: {driver} para primero en la vuelta {stop_lap} y supera a "
                                 "{other} cuando este entra en la vuelta {rival_stop_lap}!",
                       "long": "{medium} De {gap_before_s} s detrás a {gap_after_s} s delante: P{position}."},
            "technical": {"short": "Undercut: {driver} sobre {other}.",
                          "medium": "Undercut: {driver} para en V{stop_lap}, {other} en V{rival_stop_lap}; "
                                    "posición ganada.",
                          "long": "{medium} Diferencia {gap_before_s} s detrás -> {gap_after_s} s delante, "
                                  "P{position}."},
        },
        "fastest_lap": {
            "neutral": {"short": "{driver} marca la vuelta rápida.",
                        "medium": "{driver} marca la vuelta rápida de la carrera, {lap_time} en la vuelta {lap}.",
                        "long": "{medium} La hizo con {compound} de {tyre_life_laps} {tyre_life_laps|lap}."},
            "casual": {"short": "¡Vuelta morada para {driver}!",
                       "medium": "¡{driver} se pone en morado: {lap_time} en la vuelta {lap}, el más rápido del "
                                 "día!",
                       "long": "{medium} Y con {compound} de {tyre_life_laps} {tyre_life_laps|lap}."},
            "technical": {"short": "Vuelta rápida: {driver}, {lap_time}.",
                          "medium": "Vuelta rápida: {driver}, {lap_time}, V{lap}.",
                          "long": "{medium} Neumáticos: {compound}, {tyre_life_laps} {tyre_life_laps|lap} de uso."},
        },
        "strategy_gamble": {
            "neutral": {"short": "{driver} termina P{position} con una estrategia distinta (paradas: {stops}).",
                        "medium": "{driver} termina P{position} con {stops} {stops|stop}, frente a {usual_stops} "
                                  "de la mayoría.",
                        "long": "{medium} Salió P{grid}: {gained_text}."},
            "casual": {"short": "Otro plan para {driver}: {stops} {stops|stop}, ¡P{position}!",
                       "medium": "¡{driver} se la juega con {stops} {stops|stop} mientras el resto hace "
                                 "{usual_stops}, y acaba P{position}!",
                       "long": "{medium} Desde la P{grid}: {gained_text}."},
            "technical": {"short": "{driver}: {stops} {stops|stop}, P{position}.",
                          "medium": "{driver}: {stops} {stops|stop} frente a {usual_stops} del resto; "
                                    "P{grid} -> P{position}.",
                          "long": "{medium} Posiciones netas: {gained_signed}."},
        },
        "championship": {
            "neutral": {"short": "{driver} {swing_text}.",
                        "medium": "{driver} {swing_text}: {margin_points} {margin_points|point} por delante de "
                                  "{other}.",
                        "long": "{medium} {change_points_text}"},
            "casual": {"short": "¡Atención al campeonato: {driver} {swing_text}!",
                       "medium": "¡Atención al campeonato: {driver} {swing_text} y ya saca {margin_points} "
                                 "{margin_points|point} a {other}!",
                       "long": "{medium} Un vuelco de {change_points_abs} {change_points|point} en una sola "
                               "tarde."},
            "technical": {"short": "Clasificación: {driver} P1, +{margin_points} pts.",
                          "medium": "Clasificación: {driver} P1, +{margin_points} pts sobre {other} "
                                    "({swing_text}).",
                          "long": "{medium} Cambio de diferencia en esta carrera: {change_points_signed} pts."},
        },
        "neutralisation": {
            "neutral": {"short": "{period_text} en la vuelta {start_lap}.",
                        "medium": "{period_text} en la vuelta {start_lap} {involved_text}.",
                        "long": "{medium} Vueltas neutralizadas: {laps}; coches que pararon: {pitted}; {turning_text}."},
            "casual": {"short": "¡{period_text} en la vuelta {start_lap}!",
                       "medium": "¡Drama! {period_text} en la vuelta {start_lap} {involved_text}!",
                       "long": "{medium} {pitted} {pitted|car_pitted} a boxes y {turning_text}."},
            "technical": {"short": "{period_text}: V{start_lap}-V{end_lap}.",
                          "medium": "{period_text}: V{start_lap}-V{end_lap}, {involved_text}.",
                          "long": "{medium} Vueltas neutralizadas: {laps}; entradas a boxes: {pitted}; "
                                  "resultado: {turning_text}."},
        },
    },
}
