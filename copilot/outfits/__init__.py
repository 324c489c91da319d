"""Outfits from any catalog: styling questions recognised by meaning, each category given a
body slot by meaning (or by the merchant), outfits built over slots from stock.

    intent.py       is this a styling question (Chinese or English, with history)
    request.py      what it asks for: occasion, budget, wanted slots, language; the anchor
    slots.py        the body slots and the regions they cover (the layering rules)
    slot_reader.py  a category's slot from its name and titles, or the merchant's setting
    classifier.py   the small text classifier both read with; training.py fits it
    wardrobe.py     the catalog as pieces (slot, gender, age group, season, colour, style)
    building.py     outfits around an anchor; result.py what it answers; wording.py its words
    checking.py     whether outfits are valid (the eval sets' rules, and the slot rules)
    stylist.py      all of it for one merchant's shopper message
"""
from copilot.outfits.result import Outfit, OutfitItem, OutfitResult, outfits_differ
from copilot.outfits.stylist import Stylist, suggest_outfits

__all__ = ["Outfit", "OutfitItem", "OutfitResult", "Stylist", "outfits_differ", "suggest_outfits"]
