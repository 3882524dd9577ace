#!/usr/bin/env python3
"""Generate a large synthetic voxcart catalog for benchmarks.

Usage: gen_catalog.py N OUT.csv [--seed S]

Writes N products as CSV in the same format as server/data/demo_catalog.csv
(header ``seller,title,description,price,stock,category,tags``; price as
money ``12.99``; tags separated by ``;``).  Products are combinations of
brands x product types x sizes x adjectives, so titles are varied but
realistic.  The output depends only on N and the seed.  Stdlib only.
"""

import argparse
import csv
import random
import sys

HEADER = ["seller", "title", "description", "price", "stock", "category", "tags"]

# category -> (seller keys, brands, adjectives, product types)
# product type: (noun, low price, high price, sizes, tags)
# Prices are in dollars; a size's multiplier scales the base price.
CATALOG = {
    "Fruit & Vegetables": (
        ["freshmart"],
        ["Sunny Acres", "Green Valley", "Orchard Lane", "Harvest Hill", "Farmstand",
         "Blue Ridge", "Coastal Fields", "Morning Dew"],
        ["Organic", "Fresh", "Local", "Ripe", "Sweet", "Premium", "Baby", ""],
        [
            ("Bananas", 0.99, 2.49, [("(bunch)", 1), ("2 lb", 1.1)], ["bananas", "fruit"]),
            ("Gala Apples", 3.49, 5.49, [("3 lb bag", 1), ("5 lb bag", 1.5)], ["apples", "gala", "fruit"]),
            ("Honeycrisp Apples", 5.49, 7.99, [("3 lb bag", 1), ("2 lb bag", 0.7)], ["apples", "honeycrisp", "fruit"]),
            ("Granny Smith Apples", 3.99, 5.99, [("3 lb bag", 1), ("5 lb bag", 1.5)], ["apples", "granny smith", "fruit"]),
            ("Navel Oranges", 4.49, 6.99, [("4 lb bag", 1), ("8 lb box", 1.8)], ["oranges", "citrus", "fruit"]),
            ("Mandarins", 3.99, 5.99, [("3 lb bag", 1), ("5 lb box", 1.6)], ["mandarins", "citrus", "fruit"]),
            ("Hass Avocados", 3.99, 6.49, [("4 pack", 1), ("6 pack", 1.4)], ["avocados", "produce"]),
            ("Strawberries", 2.99, 5.99, [("1 lb", 1), ("2 lb", 1.8)], ["strawberries", "berries", "fruit"]),
            ("Blueberries", 3.49, 5.49, [("1 pint", 1), ("18 oz", 1.4)], ["blueberries", "berries", "fruit"]),
            ("Red Grapes", 3.99, 6.49, [("2 lb", 1), ("3 lb", 1.4)], ["grapes", "fruit"]),
            ("Carrots", 1.49, 2.99, [("1 lb", 1), ("2 lb bag", 1.6), ("5 lb bag", 3)], ["carrots", "vegetables"]),
            ("Potatoes", 2.99, 4.99, [("5 lb bag", 1), ("10 lb bag", 1.7)], ["potatoes", "vegetables"]),
            ("Spinach", 2.49, 3.99, [("5 oz", 1), ("10 oz", 1.6)], ["spinach", "greens", "salad"]),
            ("Cherry Tomatoes", 2.99, 4.49, [("1 pint", 1), ("2 pints", 1.8)], ["tomatoes", "vegetables"]),
            ("Broccoli", 1.99, 3.49, [("1 lb", 1), ("12 oz florets", 1.2)], ["broccoli", "vegetables"]),
            ("Onions", 2.49, 3.99, [("3 lb bag", 1), ("5 lb bag", 1.5)], ["onions", "vegetables"]),
        ],
    ),
    "Dairy & Eggs": (
        ["freshmart"],
        ["Meadow Gold Farms", "Clover Hill", "Prairie Creamery", "Happy Hen", "Alpine Valley",
         "Riverbend Dairy", "Oak Pasture", "Northfield"],
        ["Organic", "Grass-Fed", "Lactose-Free", "Local", "Farm Fresh", "Premium", ""],
        [
            ("Whole Milk", 2.49, 5.49, [("half gallon", 1), ("1 gallon", 1.7)], ["milk", "whole milk", "dairy"]),
            ("2% Milk", 2.39, 5.29, [("half gallon", 1), ("1 gallon", 1.7)], ["milk", "2%", "dairy"]),
            ("Skim Milk", 2.29, 4.99, [("half gallon", 1), ("1 gallon", 1.7)], ["milk", "skim", "dairy"]),
            ("Oat Milk", 3.49, 5.49, [("32 oz", 0.6), ("64 oz", 1)], ["milk", "oat milk", "plant based"]),
            ("Almond Milk", 2.99, 4.49, [("32 oz", 0.6), ("64 oz", 1)], ["milk", "almond milk", "plant based"]),
            ("Large Eggs", 2.99, 6.99, [("(dozen)", 1), ("18 count", 1.45), ("6 count", 0.6)], ["eggs"]),
            ("Greek Yogurt", 4.49, 7.49, [("32 oz", 1), ("5.3 oz", 0.25)], ["yogurt", "greek yogurt"]),
            ("Cheddar Cheese", 3.49, 5.99, [("8 oz", 1), ("16 oz", 1.8), ("2 lb", 3.2)], ["cheese", "cheddar"]),
            ("Mozzarella", 3.49, 5.99, [("8 oz", 1), ("16 oz", 1.8)], ["cheese", "mozzarella"]),
            ("Butter", 3.99, 6.99, [("1 lb", 1), ("8 oz", 0.6)], ["butter", "dairy"]),
            ("Cream Cheese", 2.29, 3.49, [("8 oz", 1), ("12 oz tub", 1.4)], ["cream cheese", "dairy"]),
        ],
    ),
    "Bakery": (
        ["freshmart"],
        ["Golden Crust", "Hearthstone", "Village Bakehouse", "Rise & Shine", "Old Mill",
         "Baker's Table", "Stone Oven"],
        ["Artisan", "Fresh Baked", "Organic", "Seeded", "Rustic", "Classic", ""],
        [
            ("Sourdough Bread", 4.49, 6.99, [("(loaf)", 1), ("(half loaf)", 0.6)], ["bread", "sourdough"]),
            ("Whole Wheat Bread", 2.99, 4.99, [("(loaf)", 1)], ["bread", "whole wheat"]),
            ("Multigrain Bread", 3.49, 5.49, [("(loaf)", 1)], ["bread", "multigrain"]),
            ("Bagels", 3.49, 5.49, [("6 pack", 1), ("12 pack", 1.8)], ["bagels", "breakfast"]),
            ("Croissants", 4.99, 7.99, [("4 pack", 1), ("8 pack", 1.8)], ["croissants", "pastry"]),
            ("Muffins", 4.49, 6.99, [("4 pack", 1), ("6 pack", 1.4)], ["muffins", "pastry"]),
            ("Dinner Rolls", 2.99, 4.49, [("12 pack", 1), ("6 pack", 0.6)], ["rolls", "bread"]),
            ("Tortillas", 2.49, 3.99, [("10 count", 1), ("20 count", 1.7)], ["tortillas"]),
        ],
    ),
    "Coffee & Tea": (
        ["beanery", "freshmart"],
        ["Beanery", "Mountain Peak", "Night Owl", "Daybreak", "Copper Kettle", "Harbor Roasters",
         "Red Barn", "Highland", "Tea Garden"],
        ["Organic", "Fair Trade", "Small Batch", "Single Origin", "Signature", "Reserve", ""],
        [
            ("Dark Roast Coffee Beans", 10.99, 15.99, [("12 oz", 1), ("1 kg", 2.0), ("2 lb", 1.9)], ["coffee", "beans", "dark roast"]),
            ("Medium Roast Coffee Beans", 9.99, 14.99, [("12 oz", 1), ("1 kg", 2.0), ("2 lb", 1.9)], ["coffee", "beans", "medium roast"]),
            ("Light Roast Coffee Beans", 10.99, 16.99, [("12 oz", 1), ("1 kg", 2.0)], ["coffee", "beans", "light roast"]),
            ("Decaf Coffee Beans", 11.99, 16.99, [("12 oz", 1), ("1 kg", 2.0)], ["coffee", "beans", "decaf"]),
            ("Espresso Beans", 11.99, 17.99, [("12 oz", 1), ("1 kg", 2.0)], ["coffee", "beans", "espresso"]),
            ("Ground Coffee", 7.99, 12.99, [("12 oz", 1), ("24 oz", 1.8)], ["coffee", "ground"]),
            ("Decaf Ground Coffee", 8.49, 13.49, [("12 oz", 1), ("24 oz", 1.8)], ["coffee", "ground", "decaf"]),
            ("Coffee Pods", 12.99, 18.99, [("24 count", 1), ("48 count", 1.8)], ["coffee", "pods"]),
            ("Green Tea", 3.49, 6.99, [("20 bags", 1), ("40 bags", 1.7), ("100 g loose leaf", 2)], ["tea", "green tea"]),
            ("Black Tea", 3.49, 6.49, [("20 bags", 1), ("40 bags", 1.7), ("100 g loose leaf", 2)], ["tea", "black tea"]),
            ("Chamomile Tea", 3.49, 5.99, [("20 bags", 1), ("40 bags", 1.7)], ["tea", "chamomile", "herbal"]),
            ("Earl Grey Tea", 3.99, 6.49, [("20 bags", 1), ("100 g loose leaf", 2)], ["tea", "earl grey", "black tea"]),
        ],
    ),
    "Pantry": (
        ["freshmart"],
        ["Pantry Basics", "Bella Cucina", "Golden Fields", "Heritage Mill", "Sunrise",
         "Nonna's", "Prairie Gold", "Old Country"],
        ["Organic", "Whole Grain", "Classic", "Imported", "Gluten-Free", "Value", ""],
        [
            ("Spaghetti", 1.29, 2.99, [("1 lb", 1), ("2 lb", 1.8)], ["pasta", "spaghetti"]),
            ("Penne", 1.29, 2.99, [("1 lb", 1), ("2 lb", 1.8)], ["pasta", "penne"]),
            ("Jasmine Rice", 2.99, 4.49, [("2 lb", 1), ("5 lb", 2.2), ("10 lb", 4)], ["rice", "jasmine"]),
            ("Basmati Rice", 3.49, 5.49, [("2 lb", 1), ("5 lb", 2.2)], ["rice", "basmati"]),
            ("Olive Oil", 7.99, 12.99, [("500 ml", 1), ("1 L", 1.7)], ["olive oil", "oil"]),
            ("Peanut Butter", 2.99, 4.99, [("16 oz", 1), ("40 oz", 2.1)], ["peanut butter", "spreads"]),
            ("Granola", 4.49, 6.99, [("12 oz", 1), ("24 oz", 1.8)], ["granola", "cereal"]),
            ("Oat Cereal", 3.49, 5.49, [("12 oz", 1), ("18 oz", 1.4)], ["cereal", "breakfast"]),
            ("Marinara Sauce", 2.99, 6.99, [("24 oz", 1)], ["pasta sauce", "marinara"]),
            ("Black Beans", 0.99, 1.79, [("15 oz can", 1), ("4 pack", 3.6)], ["beans", "canned"]),
            ("Honey", 4.99, 8.99, [("12 oz", 1), ("24 oz", 1.8)], ["honey", "sweetener"]),
        ],
    ),
    "Snacks": (
        ["freshmart"],
        ["Crunch Co", "Snackery", "Golden Kettle", "Happy Trails", "Cookie Jar", "Nutty Grove", "Pop & Co"],
        ["Sea Salt", "Lightly Salted", "Family Size", "Classic", "Reduced Fat", "Snack Size", "Organic", ""],
        [
            ("Potato Chips", 2.99, 4.99, [("8 oz", 1), ("13 oz", 1.5), ("1 oz 12 pack", 2)], ["chips", "potato chips"]),
            ("Tortilla Chips", 2.99, 4.49, [("13 oz", 1), ("20 oz", 1.4)], ["chips", "tortilla chips"]),
            ("Pretzels", 2.79, 3.99, [("16 oz", 1)], ["pretzels"]),
            ("Chocolate Chip Cookies", 3.49, 5.49, [("13 oz", 1), ("7 oz", 0.6)], ["cookies", "chocolate chip"]),
            ("Oatmeal Cookies", 3.49, 5.29, [("12 oz", 1)], ["cookies", "oatmeal"]),
            ("Mixed Nuts", 6.99, 11.99, [("16 oz", 1), ("30 oz", 1.7)], ["nuts"]),
            ("Trail Mix", 5.99, 10.99, [("16 oz", 1), ("26 oz", 1.5)], ["trail mix", "nuts"]),
            ("Granola Bars", 3.99, 5.99, [("12 count", 1), ("24 count", 1.8)], ["granola bars", "snack bars"]),
            ("Popcorn", 2.99, 4.99, [("6 pack", 1), ("12 pack", 1.8)], ["popcorn"]),
        ],
    ),
    "Beverages": (
        ["freshmart"],
        ["Clearwater", "Bubbly Springs", "Citrus Grove", "Summit", "Blue Lagoon", "Orchard Press"],
        ["Zero Sugar", "Organic", "Lightly Sweetened", "Sparkling", "Classic", ""],
        [
            ("Sparkling Water", 3.99, 6.49, [("12 pack", 1), ("8 pack", 0.7), ("1 L", 0.4)], ["sparkling water", "seltzer"]),
            ("Spring Water", 3.99, 6.99, [("24 pack", 1), ("1 gallon", 0.35)], ["water", "bottled water"]),
            ("Orange Juice", 3.49, 5.99, [("52 oz", 1), ("89 oz", 1.6)], ["orange juice", "juice"]),
            ("Apple Juice", 2.99, 4.49, [("64 oz", 1)], ["apple juice", "juice"]),
            ("Lemonade", 2.99, 4.49, [("52 oz", 1)], ["lemonade"]),
            ("Cola", 5.49, 7.99, [("12 pack", 1), ("2 L", 0.35)], ["soda", "cola"]),
            ("Iced Tea", 2.49, 4.49, [("64 oz", 1), ("12 pack", 2.2)], ["iced tea", "tea"]),
            ("Kombucha", 3.49, 4.49, [("16 oz", 1), ("4 pack", 3.5)], ["kombucha"]),
        ],
    ),
    "Electronics": (
        ["soundhouse"],
        ["Voltix", "Chargeline", "Ampere", "NexaTech", "Kablo", "Brightcore", "Zenport"],
        ["Fast Charging", "Braided", "Compact", "Travel", "Pro", "Slim", ""],
        [
            ("USB-C Cable", 6.99, 15.99, [("1 m", 1), ("2 m", 1.3), ("3 pack", 2)], ["cable", "usb-c"]),
            ("USB-C to Lightning Cable", 9.99, 19.99, [("1 m", 1), ("2 m", 1.3)], ["cable", "lightning"]),
            ("Phone Charger", 12.99, 29.99, [("20W", 1), ("30W", 1.3)], ["charger", "usb-c", "phone"]),
            ("Laptop Charger", 29.99, 59.99, [("65W", 1), ("100W", 1.4)], ["charger", "usb-c", "laptop"]),
            ("Wireless Charger", 15.99, 39.99, [("15W", 1)], ["charger", "wireless charger"]),
            ("Power Bank", 19.99, 39.99, [("10000 mAh", 1), ("20000 mAh", 1.5)], ["power bank", "battery"]),
            ("HDMI Cable", 6.99, 14.99, [("6 ft", 1), ("10 ft", 1.3)], ["cable", "hdmi"]),
            ("Wireless Mouse", 14.99, 39.99, [("", 1)], ["mouse", "wireless"]),
            ("USB-C Hub", 24.99, 59.99, [("5-in-1", 1), ("7-in-1", 1.3)], ["usb-c hub", "adapter"]),
            ("microSD Card", 8.99, 14.99, [("64 GB", 1), ("128 GB", 1.6), ("256 GB", 2.6)], ["memory card", "storage"]),
        ],
    ),
    "Audio": (
        ["soundhouse"],
        ["Sony", "Bose", "JBL", "Tunebox", "Soundcore", "Audio-Technica", "Sennheiser", "Pulse Audio"],
        ["Wireless", "Noise Cancelling", "Sport", "Studio", "Portable", "Bass Boost", ""],
        [
            ("Headphones", 24.99, 349.99, [("", 1)], ["headphones", "over-ear"]),
            ("On-Ear Headphones", 19.99, 149.99, [("", 1)], ["headphones", "on-ear"]),
            ("Earbuds", 14.99, 279.99, [("", 1)], ["earbuds", "in-ear"]),
            ("Bluetooth Speaker", 19.99, 199.99, [("", 1)], ["speaker", "bluetooth speaker"]),
            ("Soundbar", 99.99, 499.99, [("", 1)], ["soundbar", "tv"]),
            ("USB Microphone", 29.99, 129.99, [("", 1)], ["microphone", "usb"]),
        ],
    ),
    "Home & Kitchen": (
        ["homegoods", "beanery"],
        ["Hearth & Co", "Kitchen Kraft", "Linen Lane", "Maple Home", "Copperline", "Nordhaus", "Casa Bella"],
        ["Stainless Steel", "Ceramic", "Glass", "Cotton", "Nonstick", "Classic", "Deluxe", ""],
        [
            ("Electric Kettle", 24.99, 59.99, [("1.7 L", 1), ("1 L", 0.85)], ["kettle", "electric kettle"]),
            ("French Press", 17.99, 39.99, [("34 oz", 1), ("12 oz", 0.7)], ["french press", "coffee maker"]),
            ("Coffee Mug", 7.99, 14.99, [("12 oz", 1), ("16 oz", 1.15), ("set of 4", 3)], ["mug", "coffee mug"]),
            ("Travel Mug", 14.99, 29.99, [("16 oz", 1), ("20 oz", 1.15)], ["mug", "travel mug"]),
            ("Bath Towel", 9.99, 19.99, [("", 1), ("set of 2", 1.8), ("6 piece set", 3.5)], ["towels", "bath towel"]),
            ("Dish Towels", 9.99, 16.99, [("6 pack", 1)], ["towels", "kitchen"]),
            ("Frying Pan", 19.99, 49.99, [("10 inch", 1), ("12 inch", 1.25)], ["pan", "cookware"]),
            ("Saucepan", 19.99, 44.99, [("2 qt", 1), ("3 qt", 1.2)], ["saucepan", "cookware"]),
            ("Cutting Board", 12.99, 29.99, [("", 1)], ["cutting board", "kitchen"]),
            ("Food Storage Containers", 19.99, 34.99, [("10 piece", 1), ("20 piece", 1.6)], ["food storage", "containers"]),
        ],
    ),
    "Clothing": (
        ["outfitters"],
        ["Trailhead", "Northbound", "Cove & Pine", "Urban Thread", "Basecamp", "Stride", "Harbor Lane"],
        ["Men's", "Women's", "Kids'", "Organic Cotton", "Performance", "Classic", "Relaxed Fit", ""],
        [
            ("T-Shirt", 9.99, 24.99, [("Black", 1), ("White", 1), ("Navy", 1), ("Gray", 1), ("3 pack", 2.4)], ["t-shirt", "tee"]),
            ("Crew Socks", 9.99, 19.99, [("6 pack", 1), ("3 pack", 0.6)], ["socks", "crew"]),
            ("Ankle Socks", 8.99, 16.99, [("6 pack", 1)], ["socks", "ankle"]),
            ("Hoodie", 29.99, 59.99, [("Gray", 1), ("Black", 1), ("Navy", 1)], ["hoodie", "sweatshirt"]),
            ("Jeans", 39.99, 79.99, [("Dark Wash", 1), ("Light Wash", 1)], ["jeans", "denim"]),
            ("Rain Jacket", 59.99, 129.99, [("", 1)], ["jacket", "rain jacket"]),
            ("Beanie", 12.99, 24.99, [("", 1)], ["hat", "beanie"]),
            ("Running Shorts", 19.99, 39.99, [("", 1)], ["shorts", "running"]),
        ],
    ),
    "Personal Care": (
        ["homegoods"],
        ["Pure Leaf Botanics", "Brightsmile", "Fresh Start", "Dermacare", "Sea Breeze", "Everyday Essentials"],
        ["Mint", "Sensitive", "Fragrance-Free", "Natural", "Moisturizing", "Travel Size", ""],
        [
            ("Toothpaste", 2.99, 6.99, [("4 oz", 1), ("2 pack", 1.8)], ["toothpaste", "oral care"]),
            ("Toothbrush", 2.99, 5.99, [("", 1), ("4 pack", 2.5)], ["toothbrush", "oral care"]),
            ("Shampoo", 4.99, 12.99, [("12 oz", 1), ("25 oz", 1.7)], ["shampoo", "hair care"]),
            ("Conditioner", 4.99, 12.99, [("12 oz", 1), ("25 oz", 1.7)], ["conditioner", "hair care"]),
            ("Body Wash", 4.99, 9.99, [("18 oz", 1), ("30 oz", 1.5)], ["body wash", "shower"]),
            ("Deodorant", 3.99, 7.99, [("", 1), ("2 pack", 1.8)], ["deodorant"]),
            ("Sunscreen SPF 50", 7.99, 14.99, [("8 oz", 1), ("3 oz", 0.6)], ["sunscreen", "spf"]),
            ("Hand Soap", 2.49, 4.99, [("7.5 oz", 1), ("3 pack", 2.6)], ["hand soap", "soap"]),
        ],
    ),
}

# Extra synthetic brands: prefix x per-category suffix, so large catalogs stay varied.
BRAND_PREFIXES = ["North", "Blue", "Golden", "Maple", "River", "Sun", "Stone", "Pine",
                  "Silver", "Oak", "Cedar", "Harbor", "Meadow", "Summit", "Willow",
                  "Bright", "Little", "Wild", "True", "Evergreen"]
BRAND_SUFFIXES = {
    "Fruit & Vegetables": ["Farms", "Orchards", "Growers", "Fields"],
    "Dairy & Eggs": ["Dairy", "Creamery", "Farms"],
    "Bakery": ["Bakery", "Bakehouse", "Breads"],
    "Coffee & Tea": ["Roasters", "Coffee Co", "Tea Co"],
    "Pantry": ["Pantry", "Kitchen", "Provisions", "Foods"],
    "Snacks": ["Snacks", "Foods", "Munchies"],
    "Beverages": ["Springs", "Beverage Co", "Juice Co"],
    "Electronics": ["Tech", "Labs", "Digital", "Power"],
    "Audio": ["Audio", "Sound", "Acoustics"],
    "Home & Kitchen": ["Home", "Living", "Housewares"],
    "Clothing": ["Outfitters", "Apparel", "Supply Co"],
    "Personal Care": ["Naturals", "Care", "Apothecary"],
}

OPENERS = [
    "{what} from {brand}, made for everyday use.",
    "{brand} {what}, a customer favorite.",
    "{what} by {brand} at a fair price.",
    "Quality {what} from {brand}, packed with care.",
    "Dependable {what} from {brand}.",
]
CLOSERS = [
    "Customers rate it highly for value.",
    "Great for gifting or stocking up.",
    "Backed by a 30 day satisfaction guarantee.",
    "Ships in recyclable packaging.",
    "A new addition to our catalog.",
    "",
]


def _prepare():
    """Flatten CATALOG into a list of (category, sellers, brands, adjectives, type)."""
    entries = []
    for cat, (sellers, brands, adjs, types) in CATALOG.items():
        brands = list(brands) + ["%s %s" % (p, sfx) for p in BRAND_PREFIXES
                                 for sfx in BRAND_SUFFIXES.get(cat, [])]
        for t in types:
            entries.append((cat, sellers, brands, adjs, t))
    return entries


def generate(n, seed):
    rng = random.Random(seed)
    entries = _prepare()
    rand = rng.random
    choice = rng.choice
    out = []
    for i in range(n):
        cat, sellers, brands, adjs, (noun, lo, hi, sizes, tags) = choice(entries)
        brand = choice(brands)
        adj = choice(adjs)
        size, mult = choice(sizes)
        parts = [brand]
        if adj:
            parts.append(adj)
        parts.append(noun)
        if size:
            parts.append(size)
        title = " ".join(parts)

        base = lo + (hi - lo) * rand()
        cents = int(round(base * mult * 100))
        # US-style price endings: .99 most of the time, sometimes .49 or .00
        r = rand()
        dollars = max(cents // 100, 0)
        if r < 0.7:
            cents = dollars * 100 + 99
        elif r < 0.9:
            cents = dollars * 100 + 49
        else:
            cents = max(dollars, 1) * 100
        price = "%d.%02d" % (cents // 100, cents % 100)

        r = rand()
        if r < 0.03:
            stock = 0
        elif r < 0.08:
            stock = rng.randint(1, 5)
        else:
            stock = rng.randint(6, 1000)

        what = (adj + " " + noun) if adj else noun
        desc = choice(OPENERS).format(brand=brand, what=what)
        desc = desc[0].upper() + desc[1:]
        closer = choice(CLOSERS)
        if size:
            desc += " Size: %s." % size
        if closer:
            desc += " " + closer

        t = list(tags)
        bl = brand.lower()
        if bl not in t and len(bl) <= 32:
            t.append(bl)
        if adj:
            al = adj.lower()
            if al not in t:
                t.append(al)
        out.append((choice(sellers), title, desc, price, stock, cat, ";".join(t)))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate a synthetic voxcart catalog CSV.")
    ap.add_argument("n", type=int, help="number of products")
    ap.add_argument("out", help="output CSV path ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    a = ap.parse_args(argv)
    if a.n < 0:
        ap.error("N must be >= 0")
    rows = generate(a.n, a.seed)
    f = sys.stdout if a.out == "-" else open(a.out, "w", newline="", encoding="utf-8")
    try:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    finally:
        if f is not sys.stdout:
            f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
