"""Spanish narration: the same template groups, tones and lengths as en.py."""

LOCALE = {
    "decimal": ",",
    "and": "y",
    "phrases": {
        "how": {"start": "en la salida", "on_track": "con un adelantamiento en pista",
                "pit_stop": "aprovechando la parada del líder", "other": "en el baile de posiciones"},
        "period": {"SC": "coche de seguridad", "VSC": "coche de seguridad virtual", "RED": "bandera roja"},
        "compound": {"SOFT": "blandos", "MEDIUM": "medios", "HARD": "duros", "INTERMEDIATE": "intermedios",
                     "WET": "de lluvia extrema", "UNKNOWN": "neumáticos desconocidos"},
        "involved": "tras un incidente con {involved_names}",
        "involved_none": "para despejar la pista",
        "turning_leader": "{new_leader} salió de ella como líder",
        "turning_gainer": "{gainer} ganó {gained} posiciones",
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
                        "long": "{medium} {driver} salió desde la posición {grid} y lideró {laps_led} vueltas."},
            "casual": {"short": "¡{driver} se lleva la victoria en el {race}!",
                       "medium": "¡Día redondo para {driver}: victoria en el {race}, con {second} y {third} en el "
                                 "podio!",
                       "long": "{medium} Desde la P{grid}, {laps_led} vueltas en cabeza y {team} de fiesta."},
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
                                "vueltas."},
            "casual": {"short": "¡{driver} se come a {other}! P{position} en la vuelta {lap}!",
                       "medium": "¡Genial {driver}, que se tira por dentro y supera a {other} por la P{position} "
                                 "en la vuelta {lap}!",
                       "long": "{medium} {driver} con {compound}, {other} con {other_compound}."},
            "technical": {"short": "V{lap}: {driver} > {other}, P{position}.",
                          "medium": "V{lap}: {driver} supera a {other} por la P{position}; {compound} frente a "
                                    "{other_compound}.",
                          "long": "{medium} Diferencia de edad de neumáticos: {tyre_age_delta_laps} vueltas a favor "
                                  "del atacante."},
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
                        "long": "{medium} La hizo con {compound} de {tyre_life_laps} vueltas."},
            "casual": {"short": "¡Vuelta morada para {driver}!",
                       "medium": "¡{driver} se pone en morado: {lap_time} en la vuelta {lap}, el más rápido del "
                                 "día!",
                       "long": "{medium} Y con {compound} de {tyre_life_laps} vueltas."},
            "technical": {"short": "Vuelta rápida: {driver}, {lap_time}.",
                          "medium": "Vuelta rápida: {driver}, {lap_time}, V{lap}.",
                          "long": "{medium} Neumáticos: {compound}, {tyre_life_laps} vueltas de uso."},
        },
        "strategy_gamble": {
            "neutral": {"short": "{driver} termina P{position} con una estrategia distinta (paradas: {stops}).",
                        "medium": "{driver} termina P{position} con {stops} parada(s), frente a {usual_stops} de "
                                  "la mayoría.",
                        "long": "{medium} Salió P{grid}: {gained} posiciones ganadas."},
            "casual": {"short": "Otro plan para {driver}: {stops} parada(s), ¡P{position}!",
                       "medium": "¡{driver} se la juega con {stops} parada(s) mientras el resto hace "
                                 "{usual_stops}, y acaba P{position}!",
                       "long": "{medium} {gained} posiciones ganadas desde la P{grid}."},
            "technical": {"short": "{driver}: {stops} parada(s), P{position}.",
                          "medium": "{driver}: {stops} parada(s) frente a {usual_stops} del resto; P{grid} -> "
                                    "P{position}.",
                          "long": "{medium} Posiciones netas ganadas: {gained}."},
        },
        "championship": {
            "neutral": {"short": "{driver} {swing_text}.",
                        "medium": "{driver} {swing_text}: {margin_points} puntos por delante de {other}.",
                        "long": "{medium} La diferencia cambió {change_points} puntos en esta carrera."},
            "casual": {"short": "¡Atención al campeonato: {driver} {swing_text}!",
                       "medium": "¡Atención al campeonato: {driver} {swing_text} y ya saca {margin_points} "
                                 "puntos a {other}!",
                       "long": "{medium} Un vuelco de {change_abs_points} puntos en una sola tarde."},
            "technical": {"short": "Clasificación: {driver} P1, +{margin_points} pts.",
                          "medium": "Clasificación: {driver} P1, +{margin_points} pts sobre {other} "
                                    "({swing_text}).",
                          "long": "{medium} Cambio de diferencia en esta carrera: {change_points} pts."},
        },
        "neutralisation": {
            "neutral": {"short": "{period_text} en la vuelta {start_lap}.",
                        "medium": "{period_text} en la vuelta {start_lap} {involved_text}.",
                        "long": "{medium} Vueltas neutralizadas: {laps}; coches que pararon: {pitted}; {turning_text}."},
            "casual": {"short": "¡{period_text} en la vuelta {start_lap}!",
                       "medium": "¡Drama! {period_text} en la vuelta {start_lap} {involved_text}!",
                       "long": "{medium} {pitted} coches se lanzaron a boxes y {turning_text}."},
            "technical": {"short": "{period_text}: V{start_lap}-V{end_lap}.",
                          "medium": "{period_text}: V{start_lap}-V{end_lap}, {involved_text}.",
                          "long": "{medium} Vueltas neutralizadas: {laps}; entradas a boxes: {pitted}; "
                                  "resultado: {turning_text}."},
        },
    },
}
