"""The caption coach's rules: 5W1H elements and spelling, offline, from word lists in prompts/.

handlers/caption_coach.py is the way in (coach, apply_fixes, advice_line); this package holds the
pieces: words (tokens), lexicon (the data file), places (the region's names), elements, spelling.
"""
