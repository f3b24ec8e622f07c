"""English narration: story templates (group -> tone -> length) and the phrases they are built from.

Placeholders are story facts plus derived phrases (see insights/narration.py); `medium` may use {short} and
`long` may use {medium}."""

LOCALE = {
    "cldr": "en_GB",  # number, list and plural rules: British English, as F1 writes it (no serial comma)
    # noun forms by CLDR plural category, for `{count|noun}`
    "nouns": {"lap": {"one": "lap", "other": "laps"}, "place": {"one": "place", "other": "places"},
              "point": {"one": "point", "other": "points"}, "car": {"one": "car", "other": "cars"},
              "stop": {"one": "stop", "other": "stops"}},
    "races": {},  # race names are English in the calendar
    "phrases": {
        "gained": {"up": "a gain of {gained_abs} {gained|place}", "down": "a loss of {gained_abs} {gained|place}",
                   "none": "no places gained or lost"},
        "change_points": {"up": "The margin grew by {change_points_abs} {change_points|point} in this race.",
                          "down": "The margin shrank by {change_points_abs} {change_points|point} in this race.",
                          "none": "The margin did not move in this race."},
        "how": {"start": "at the start", "on_track": "with a pass on track", "pit_stop": "as the leader pitted",
                "other": "in the shuffle"},
        "period": {"SC": "safety car", "VSC": "virtual safety car", "RED": "red flag"},
        "compound": {"SOFT": "softs", "MEDIUM": "mediums", "HARD": "hards", "INTERMEDIATE": "intermediates",
                     "WET": "full wets", "UNKNOWN": "unknown tyres"},
        "involved": "after an incident involving {involved_names}",
        "involved_none": "to clear the track",
        "turning_leader": "{new_leader} came out of it in the lead",
        "turning_gainer": "{gainer} gained {gained} {gained|place} from it",
        "turning_none": "the order held",
        "margin": "by {margin_s} s",
        "margin_none": "",
        "swing": {"championship_lead": "takes the championship lead from {old_leader}",
                  "championship_extend": "stretches the championship lead",
                  "championship_close": "sees the championship lead shrink"},
    },
    "templates": {
        "race_result": {
            "neutral": {"short": "{driver} wins the {race}.",
                        "medium": "{driver} wins the {race} for {team} {margin_text}, ahead of {second} and {third}.",
                        "long": "{medium} {driver} started from grid slot {grid} and led {laps_led} {laps_led|lap}."},
            "casual": {"short": "{driver} takes the win in the {race}!",
                       "medium": "What a day for {driver}: victory in the {race}, with {second} and {third} "
                                 "completing the podium!",
                       "long": "{medium} Up from P{grid}, {laps_led} {laps_led|lap} out front and {team} celebrating."},
            "technical": {"short": "P1 {driver} ({team}), {race}.",
                          "medium": "{driver} P1 {margin_text} over {second}; P3 {third}. Grid P{grid}.",
                          "long": "{medium} Laps led: {laps_led}."},
        },
        "lead_change": {
            "neutral": {"short": "{driver} takes the lead from {other} on lap {lap}.",
                        "medium": "{driver} takes the lead from {other} {how_text} on lap {lap}.",
                        "long": "{medium} It is a change at the front that reshapes the race."},
            "casual": {"short": "New leader! {driver} is in front on lap {lap}!",
                       "medium": "New leader! {driver} gets ahead of {other} {how_text} on lap {lap}!",
                       "long": "{medium} {other} will have to fight back from here."},
            "technical": {"short": "Lap {lap}: P1 {other} -> {driver}.",
                          "medium": "Lap {lap}: P1 changes from {other} to {driver} ({how_text}).",
                          "long": "{medium} Lead change recorded at the end of lap {lap}."},
        },
        "overtake": {
            "neutral": {"short": "{driver} passes {other} for P{position} on lap {lap}.",
                        "medium": "{driver} overtakes {other} for P{position} on lap {lap}, on {compound} "
                                  "against {other_compound}.",
                        "long": "{medium} The tyre-age difference was {tyre_age_delta_laps} "
                                "{tyre_age_delta_laps|lap}."},
            "casual": {"short": "{driver} gets {other}! P{position} on lap {lap}!",
                       "medium": "Brilliant from {driver}, who dives past {other} for P{position} on lap {lap}!",
                       "long": "{medium} {driver} on {compound}, {other} on {other_compound}."},
            "technical": {"short": "L{lap}: {driver} > {other}, P{position}.",
                          "medium": "L{lap}: {driver} passes {other} for P{position}; {compound} vs "
                                    "{other_compound}.",
                          "long": "{medium} Tyre-age delta {tyre_age_delta_laps} {tyre_age_delta_laps|lap} in the "
                                  "attacker's favour."},
        },
        "undercut": {
            "neutral": {"short": "The undercut works for {driver} against {other}.",
                        "medium": "{driver} pits on lap {stop_lap}, one step ahead of {other} (lap "
                                  "{rival_stop_lap}), and comes out in front.",
                        "long": "{medium} {gap_before_s} s behind before the stops, {gap_after_s} s ahead after, "
                                "now P{position}."},
            "casual": {"short": "Undercut! {driver} jumps {other} in the pits!",
                       "medium": "Smart call: {driver} stops first on lap {stop_lap} and jumps {other} when they "
                                 "pit on lap {rival_stop_lap}!",
                       "long": "{medium} From {gap_before_s} s down to {gap_after_s} s up: P{position}."},
            "technical": {"short": "Undercut: {driver} on {other}.",
                          "medium": "Undercut: {driver} stops L{stop_lap}, {other} L{rival_stop_lap}; position "
                                    "gained.",
                          "long": "{medium} Gap {gap_before_s} s behind -> {gap_after_s} s ahead, P{position}."},
        },
        "fastest_lap": {
            "neutral": {"short": "{driver} sets the fastest lap.",
                        "medium": "{driver} sets the fastest lap of the race, {lap_time} on lap {lap}.",
                        "long": "{medium} The lap came on {compound} that were {tyre_life_laps} {tyre_life_laps|lap} "
                                "old."},
            "casual": {"short": "Purple lap for {driver}!",
                       "medium": "{driver} goes purple: {lap_time} on lap {lap}, quickest of anyone today!",
                       "long": "{medium} And that on {tyre_life_laps}-lap-old {compound}."},
            "technical": {"short": "Fastest lap: {driver}, {lap_time}.",
                          "medium": "Fastest lap: {driver}, {lap_time}, L{lap}.",
                          "long": "{medium} Tyres: {compound}, {tyre_life_laps} {tyre_life_laps|lap} old."},
        },
        "strategy_gamble": {
            "neutral": {"short": "{driver} finishes P{position} on a {stops}-stop race.",
                        "medium": "{driver} finishes P{position} on a {stops}-stop race while most finishers ran "
                                  "a {usual_stops}-stop race.",
                        "long": "{medium} Started P{grid}, {gained_text}."},
            "casual": {"short": "A different plan for {driver}: a {stops}-stop race, P{position}!",
                       "medium": "{driver} rolls the dice with a {stops}-stop race while the rest go for "
                                 "{usual_stops}, and brings it home in P{position}!",
                       "long": "{medium} From P{grid}, that is {gained_text}."},
            "technical": {"short": "{driver}: {stops}-stop, P{position}.",
                          "medium": "{driver}: {stops}-stop vs the field's {usual_stops}-stop; P{grid} -> "
                                    "P{position}.",
                          "long": "{medium} Net positions: {gained_signed}."},
        },
        "championship": {
            "neutral": {"short": "{driver} {swing_text}.",
                        "medium": "{driver} {swing_text}: {margin_points} {margin_points|point} ahead of {other}.",
                        "long": "{medium} {change_points_text}"},
            "casual": {"short": "Title fight alert: {driver} {swing_text}!",
                       "medium": "Title fight alert: {driver} {swing_text} and is now {margin_points} "
                                 "{margin_points|point} clear of {other}!",
                       "long": "{medium} That is a {change_points_abs}-point swing in one afternoon."},
            "technical": {"short": "Standings: {driver} P1, +{margin_points} pts.",
                          "medium": "Standings: {driver} P1, +{margin_points} pts over {other} ({swing_text}).",
                          "long": "{medium} Margin change this race: {change_points_signed} pts."},
        },
        "neutralisation": {
            "neutral": {"short": "{period_text} on lap {start_lap}.",
                        "medium": "{period_text} on lap {start_lap} {involved_text}.",
                        "long": "{medium} Laps neutralised: {laps}; cars that pitted: {pitted}; {turning_text}."},
            "casual": {"short": "{period_text} out on lap {start_lap}!",
                       "medium": "Drama! {period_text} on lap {start_lap} {involved_text}!",
                       "long": "{medium} {pitted} {pitted|car} dived into the pits and {turning_text}."},
            "technical": {"short": "{period_text}: L{start_lap}-L{end_lap}.",
                          "medium": "{period_text}: L{start_lap}-L{end_lap}, {involved_text}.",
                          "long": "{medium} Laps neutralised: {laps}; pit entries: {pitted}; outcome: "
                                  "{turning_text}."},
        },
    },
}
