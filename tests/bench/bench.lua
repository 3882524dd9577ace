-- bench.lua - wrk script for voxcart's REST benchmark (tests/bench/run.sh).
--
--   wrk -t2 -c64 -d10s --latency -s bench.lua http://127.0.0.1:PORT -- MODE [MAX_ID]
--
-- MODE: search      GET /api/v1/products?q=<realistic query>[&filters], varied
--       product     GET /api/v1/products/<random id in 1..MAX_ID>
--       categories  GET /api/v1/categories
--       longtail    GET /api/v1/products?q=<one or two words>, drawn at random from the
--                   catalog's vocabulary (VOCAB_FILE: one title per line, as run.sh writes
--                   it): one word of a random title, or two words of the same title, so
--                   that few queries repeat and no cache of whole answers helps
--       browse      GET /api/v1/products?category=<c>&max_price=<p>[&sort=<s>]
--   wrk ... -- longtail MAX_ID VOCAB_FILE
-- At the end it prints one line "BENCH_JSON {...}" with the figures run.sh collects.

local queries = {
  "coffee", "dark roast coffee", "organic bananas", "oat milk", "almond milk",
  "usb-c cable", "headphones", "wireless earbuds", "bluetooth speaker", "green tea",
  "earl grey", "espresso beans", "decaf", "greek yogurt", "cheddar", "sourdough bread",
  "bagels", "croissants", "apples", "honeycrisp apples", "strawberries", "blueberries",
  "avocados", "eggs", "butter", "spaghetti", "basmati rice", "olive oil", "peanut butter",
  "granola", "potato chips", "cookies", "chocolate chip cookies", "mixed nuts", "popcorn",
  "sparkling water", "orange juice", "kombucha", "phone charger", "power bank",
  "hdmi cable", "wireless mouse", "soundbar", "microphone", "electric kettle",
  "french press", "coffee mug", "bath towel", "frying pan", "cutting board", "t-shirt",
  "socks", "hoodie", "jeans", "rain jacket", "toothpaste", "shampoo", "body wash",
  "hand soap", "organic", "fresh strawberries", "cold brew", "tea bags", "charger",
  "lightning cable", "usb hub", "running shorts", "beanie", "muffins", "tortillas",
}
local categories = {
  "Fruit%20%26%20Vegetables", "Dairy%20%26%20Eggs", "Bakery", "Coffee%20%26%20Tea",
  "Pantry", "Snacks", "Beverages", "Electronics", "Audio", "Home%20%26%20Kitchen",
  "Clothing", "Personal%20Care",
}
local sorts = { "price_asc", "price_desc", "newest" }

local mode = "categories"
local max_id = 1
local titles = {}

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  mode = args[1] or "categories"
  max_id = tonumber(args[2] or "1") or 1
  -- A different sequence per thread.
  local seed = os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000
  math.randomseed(seed)
  for i = 1, 10 do math.random() end
  if mode == "longtail" then
    for line in io.lines(args[3]) do
      local words = {}
      for w in line:gmatch("[%w]+") do words[#words + 1] = w:lower() end
      if #words > 0 then titles[#titles + 1] = words end
    end
  end
end

function request()
  local path
  if mode == "search" then
    local q = queries[math.random(#queries)]
    path = "/api/v1/products?q=" .. urlencode(q)
    local r = math.random()
    -- Most searches are plain; some filter or sort, some page on.
    if r < 0.15 then
      path = path .. "&category=" .. categories[math.random(#categories)]
    elseif r < 0.30 then
      path = path .. "&max_price=" .. (math.random(5, 50) * 100)
    elseif r < 0.40 then
      path = path .. "&sort=" .. sorts[math.random(#sorts)]
    elseif r < 0.45 then
      path = path .. "&offset=20"
    end
  elseif mode == "longtail" then
    local words = titles[math.random(#titles)]
    local i = math.random(#words)
    local q = words[i]
    if #words > 1 and math.random() < 0.5 then
      local j = math.random(#words - 1)
      if j >= i then j = j + 1 end
      q = q .. " " .. words[j]
    end
    path = "/api/v1/products?q=" .. urlencode(q) .. "&limit=20"
  elseif mode == "browse" then
    path = "/api/v1/products?category=" .. categories[math.random(#categories)] ..
      "&max_price=" .. (math.random(1, 60) * 100) .. "&limit=20"
    local r = math.random()
    if r < 0.5 then path = path .. "&sort=" .. sorts[math.random(#sorts)] end
  elseif mode == "product" then
    path = "/api/v1/products/" .. math.random(max_id)
  else
    path = "/api/v1/categories"
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,' ..
    '"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
