"""Demo content for `manage.py load_demo`: three issues written for this project.

Everyone named here is invented, and so are the charities, trusts, housing associations,
think tanks and funders; only the public bodies are real, and nothing here is a real
statement by any of them. Source links point at example.org.
"""

SECTIONS = ["On the ground", "Policy", "Funding", "Research", "People"]

ORGANISATIONS = [
    ("Scottish Government", "government", "https://www.gov.scot/"),
    ("Scottish Parliament", "parliament", "https://www.parliament.scot/"),
    ("Highland Council", "council", "https://www.highland.gov.uk/"),
    ("North Ayrshire Council", "council", "https://www.north-ayrshire.gov.uk/"),
    ("Glenbrae Development Trust", "charity", "https://glenbrae.example.org/"),
    ("Inverclyde Community Larder", "charity", "https://larder.example.org/"),
    ("Kinloch Housing Association", "housing_association", "https://kinloch.example.org/"),
    (
        "Forth Valley Tenants’ Co-operative",
        "housing_association",
        "https://fvtc.example.org/",
    ),
    ("Centre for Local Futures", "think_tank", "https://localfutures.example.org/"),
    ("Rural Scotland Policy Institute", "think_tank", "https://rspi.example.org/"),
    ("Clydeside Community Anchors Network", "network", "https://anchors.example.org/"),
    ("Community Energy Collective", "network", "https://energy.example.org/"),
    ("The Bothy Foundation", "other", "https://bothy.example.org/"),
]

# name, role, organisation
PEOPLE = [
    ("Ailsa Munro", "MSP", "Scottish Parliament"),
    ("Hamish Ross", "MSP, Convener of the Local Government Committee", "Scottish Parliament"),
    ("Douglas Kerr", "Cabinet Secretary for Communities", "Scottish Government"),
    ("Fiona Baird", "Deputy Director, Community Empowerment", "Scottish Government"),
    ("Kirsty Wallace", "Head of Community Planning", "Highland Council"),
    ("Gordon Shaw", "Participation Lead", "North Ayrshire Council"),
    ("Morven Gillies", "Chief Executive", "Glenbrae Development Trust"),
    ("Priya Sandhu", "Co-ordinator", "Inverclyde Community Larder"),
    ("Callum Reid", "Chief Executive", "Kinloch Housing Association"),
    ("Rab McAlpine", "Chair", "Forth Valley Tenants’ Co-operative"),
    ("Niamh O’Connell", "Director", "Centre for Local Futures"),
    ("Isla Mackenzie", "Senior Researcher", "Rural Scotland Policy Institute"),
    ("Stuart Lennox", "Chief Executive", "Clydeside Community Anchors Network"),
    ("Euan Fraser", "Head of Grants", "The Bothy Foundation"),
]

# Oldest first. Each article: section, title, teaser, body paragraphs, people,
# organisations, tags, (source URL, source label) or None.
ISSUES = [
    {
        "title": "Anchors in a storm",
        "leader": [
            "Every autumn we are told this winter will be the hard one, and every spring the "
            "community anchors are still standing, a little more tired and a good deal more "
            "skilled. This issue is full of them: a trust in Glenbrae that has turned its hall "
            "into the warmest room in the glen, a larder that has moved out of a church cellar "
            "and onto the high street, and a funder finally willing to promise money for three "
            "years instead of one. None of this was in anyone’s strategy. It happened because "
            "local people saw a gap and filled it, usually before the paperwork caught up. The "
            "Community Wealth Bill now going through Holyrood is a chance to build on that, "
            "but only if ministers resist the temptation to invent new structures when good "
            "ones already exist in almost every town. Our advice to the bill team is short: "
            "find the anchors, fund them properly, and then get out of their way."
        ],
        "articles": [
            (
                "On the ground",
                "A hall that heats itself",
                "Glenbrae Development Trust has fitted an air-source heat pump, solar panels "
                "and a battery to its 1930s village hall, cutting the energy bill by more than "
                "half. The hall now opens five mornings a week as a warm space, and the savings "
                "pay for a part-time caretaker. Chief executive Morven Gillies says the hardest "
                "part was not the technology but finding an installer willing to travel.",
                [
                    "The trust spent eighteen months raising the £140,000 the work cost, from "
                    "a mix of grants, a community share offer and a loan it expects to repay "
                    "from the savings within nine years.",
                    "“People assume the difficult bit is the kit,” said Morven Gillies. “It "
                    "isn’t. It’s getting anybody to come out this far on a Tuesday in February.” "
                    "The trust has now published its specification so that other halls can "
                    "borrow it.",
                ],
                ["Morven Gillies"],
                ["Glenbrae Development Trust", "Community Energy Collective"],
                ["energy", "village halls", "warm spaces"],
                ("https://glenbrae.example.org/hall-retrofit", "Read the trust’s specification"),
            ),
            (
                "Policy",
                "What anchors need from the Community Wealth Bill",
                "The Community Wealth Bill would require councils and health boards to set out "
                "how their spending supports local economies. Cabinet Secretary Douglas Kerr "
                "told a packed fringe meeting that community organisations would be “partners, "
                "not suppliers”. Sector leaders welcomed the tone but asked what, in practice, "
                "would stop the largest contractors hoovering up the work as they do now.",
                [
                    "Officials led by Fiona Baird are drafting guidance to sit alongside the "
                    "bill, and have promised a round of workshops before it is finalised.",
                    "Several speakers asked for a plain duty to consult community anchor "
                    "organisations when an area plan is drawn up, rather than a general "
                    "encouragement to do so. The minister said he was “open to the argument”.",
                ],
                ["Douglas Kerr", "Fiona Baird"],
                ["Scottish Government"],
                ["community wealth building", "legislation"],
                ("https://www.example.org/community-wealth-bill", "Read the bill as introduced"),
            ),
            (
                "Funding",
                "Three-year grants, at last",
                "The Bothy Foundation will move all of its core grants to three-year terms from "
                "April, with inflation built in and a single light-touch report each year. Head "
                "of grants Euan Fraser said one-year funding had been “a false economy: we were "
                "paying good people to fill in our forms instead of doing the work”. Other "
                "independent funders are being urged to follow.",
                [
                    "The change applies to around sixty organisations, most of them small "
                    "community groups with fewer than five staff.",
                    "Euan Fraser said the foundation would publish what it learned after the "
                    "first round, including any grants that did not work out.",
                ],
                ["Euan Fraser"],
                ["The Bothy Foundation"],
                ["funding", "multi-year funding"],
                None,
            ),
            (
                "Research",
                "Where the money lands",
                "A new study from the Centre for Local Futures tracked every pound spent by "
                "three Scottish councils on a single year’s contracts. In the most rural of the "
                "three, less than a fifth stayed in the area. Director Niamh O’Connell argues "
                "that splitting contracts into smaller lots, and paying on time, would do more "
                "for local economies than any new strategy.",
                [
                    "The report finds that community organisations won fewer than one contract "
                    "in fifty, even where they were already delivering the same service with "
                    "short-term grants.",
                    "“It’s not that councils don’t want to buy locally,” said Dr O’Connell. "
                    "“It’s that the way they buy makes it almost impossible.”",
                ],
                ["Niamh O’Connell"],
                ["Centre for Local Futures", "Highland Council"],
                ["procurement", "local economy"],
                ("https://localfutures.example.org/where-the-money-lands", "Read the report"),
            ),
            (
                "On the ground",
                "The larder moves to the high street",
                "After six years in a church cellar, Inverclyde Community Larder has taken a "
                "lease on an empty shop in the town centre. The move means step-free access, a "
                "proper fridge and, co-ordinator Priya Sandhu says, a lot less stigma: people "
                "now walk in off the street as they would to any shop. Membership costs £3 a "
                "week and brings a basket worth four times that.",
                [
                    "The larder is run by twelve volunteers and one paid worker, and buys "
                    "surplus stock from a regional distributor.",
                    "“The cellar was a kindness, but it felt like a secret,” said Priya Sandhu. "
                    "“Now we’ve got a window, and people can see us.”",
                ],
                ["Priya Sandhu"],
                ["Inverclyde Community Larder"],
                ["food", "high streets"],
                None,
            ),
            (
                "Policy",
                "Committee asks why asset transfers stall",
                "Holyrood’s Local Government Committee has written to every council asking how "
                "long community asset transfer requests take to decide. Convener Hamish Ross "
                "MSP said the committee had heard of groups waiting more than two years for an "
                "answer on a derelict building. Highland Council said its average was under "
                "nine months and that it was reviewing the slowest cases.",
                [
                    "The committee will publish the replies in the new year alongside evidence "
                    "from groups who have been through the process.",
                    "Kirsty Wallace of Highland Council told the committee that most delays "
                    "came from unclear title to the land, not from reluctance to transfer it.",
                ],
                ["Hamish Ross", "Kirsty Wallace"],
                ["Scottish Parliament", "Highland Council"],
                ["asset transfer", "councils"],
                ("https://www.example.org/committee-letter", "Read the committee’s letter"),
            ),
        ],
    },
    {
        "title": "Housing’s social role",
        "leader": [
            "Housing associations began life as community organisations: a handful of tenants "
            "and neighbours who were fed up with the state of their street. Many have grown "
            "into large, capable landlords, and somewhere along the way a few forgot the "
            "second half of their name. This fortnight brings welcome signs of a return. "
            "Kinloch Housing Association is asking its tenants what else the village needs, "
            "not just what needs fixing in their flat, and in Forth Valley a tenants’ "
            "co-operative has taken over the management of its own homes. Both show that "
            "being a good landlord and being a good neighbour are not in tension. The "
            "regulator and ministers could help by counting social value as seriously as they "
            "count arrears. If what gets measured gets done, it is time to measure the right "
            "things. Meanwhile, our congratulations to the new chief executive of the anchors "
            "network: the in-tray is deep, but the goodwill is deeper."
        ],
        "articles": [
            (
                "On the ground",
                "Tenants take the keys",
                "Forth Valley Tenants’ Co-operative has taken over day-to-day management of "
                "forty homes from its parent association, including repairs, lettings and the "
                "garden budget. Chair Rab McAlpine says repairs are now done in days rather "
                "than weeks because “the person who decides lives three doors down”. The "
                "arrangement will be reviewed after two years.",
                [
                    "The co-operative has hired a part-time housing officer and buys in "
                    "specialist services, such as gas safety checks, from the association.",
                    "“We’re not anti-landlord,” said Rab McAlpine. “We just think the people "
                    "who live somewhere usually know what it needs.”",
                ],
                ["Rab McAlpine"],
                ["Forth Valley Tenants’ Co-operative"],
                ["housing", "tenant participation"],
                None,
            ),
            (
                "Policy",
                "Housing associations as local anchors",
                "A round-table hosted by Ailsa Munro MSP heard calls for housing associations "
                "to take on a wider role in the places they serve: backing local groups, "
                "opening their buildings and buying from local firms. Callum Reid, chief "
                "executive of Kinloch Housing Association, said associations that stayed small "
                "and rooted were “often the only organisation with a van, a budget and a "
                "long-term stake in the village”.",
                [
                    "Participants suggested that the housing regulator ask associations to "
                    "report on their community investment each year, alongside their "
                    "financial returns.",
                    "Ailsa Munro said she would raise the idea with ministers and the "
                    "regulator before the next housing statement.",
                ],
                ["Ailsa Munro", "Callum Reid"],
                ["Kinloch Housing Association", "Scottish Parliament"],
                ["housing", "community anchors"],
                ("https://www.example.org/anchors-roundtable", "Read the round-table notes"),
            ),
            (
                "Research",
                "Rural population: the numbers behind the story",
                "The Rural Scotland Policy Institute has mapped population change in every "
                "settlement under three thousand people over twenty years. The headline is not "
                "simple decline: villages with a community-owned asset, such as a shop, a hall "
                "or land, were markedly more likely to have held or grown their population. "
                "Researcher Isla Mackenzie cautions that the link is not proof of cause.",
                [
                    "The institute plans to follow up with interviews in twelve villages to "
                    "understand what made the difference locally.",
                    "“Ownership seems to go with confidence,” said Isla Mackenzie. “We want "
                    "to know which comes first.”",
                ],
                ["Isla Mackenzie"],
                ["Rural Scotland Policy Institute"],
                ["rural", "population", "community ownership"],
                ("https://rspi.example.org/population-map", "See the interactive map"),
            ),
            (
                "Funding",
                "Participatory budgeting passes the one per cent mark",
                "North Ayrshire Council says it now decides more than one per cent of its "
                "budget through participatory budgeting, meeting the national target a year "
                "early. Participation lead Gordon Shaw says the next step is to move from "
                "small grants votes to residents shaping how mainstream services, such as "
                "parks and youth work, are run.",
                [
                    "Over nine thousand residents voted in this year’s rounds, a third of them "
                    "under twenty-five.",
                    "Community groups welcomed the figures but asked that decisions made "
                    "through the process be protected when budgets are cut.",
                ],
                ["Gordon Shaw"],
                ["North Ayrshire Council"],
                ["participatory budgeting", "councils"],
                None,
            ),
            (
                "On the ground",
                "A buyout on the coast",
                "Residents of a west coast peninsula have voted by a large majority to buy the "
                "estate that surrounds their village, including the pier, forestry and eleven "
                "empty houses. The purchase still depends on a land fund grant. Local MSP Ailsa "
                "Munro, who attended the count, called it “a vote of confidence in the place "
                "itself”.",
                [
                    "The steering group’s plan puts the empty houses back into use for local "
                    "families first, with rents set below the market.",
                    "If the grant is approved, the community expects to take ownership next "
                    "summer.",
                ],
                ["Ailsa Munro"],
                ["Scottish Parliament"],
                ["land reform", "community ownership", "housing"],
                ("https://www.example.org/buyout-plan", "Read the community’s plan"),
            ),
            (
                "People",
                "New chief executive for the anchors network",
                "Stuart Lennox has been appointed chief executive of the Clydeside Community "
                "Anchors Network, moving from a development trust in Renfrewshire where he spent "
                "nine years. He takes over as the network prepares its case for the spending "
                "review, and says his first job is “to listen to members who have had a hard "
                "couple of years”.",
                [
                    "The network has sixty-four member organisations across the west of Scotland.",
                ],
                ["Stuart Lennox"],
                ["Clydeside Community Anchors Network"],
                ["appointments"],
                None,
            ),
            (
                "Policy",
                "Local place plans slow to take off",
                "Three years after communities were given the right to write local place "
                "plans, only a handful have been registered. Kirsty Wallace of Highland "
                "Council says groups are keen but find the process daunting without help. "
                "Government officials say they will publish simpler guidance and a template "
                "early next year.",
                [
                    "Fiona Baird said the government was also looking at whether small grants "
                    "could pay for independent planning support.",
                    "Groups who have completed a plan say the most useful step was walking the "
                    "area with residents, not the paperwork.",
                ],
                ["Kirsty Wallace", "Fiona Baird"],
                ["Highland Council", "Scottish Government"],
                ["planning", "local place plans"],
                None,
            ),
        ],
    },
    {
        "title": "Budget season",
        "leader": [
            "The draft budget landed last week with the usual mixture of warm words and cold "
            "arithmetic. There is real money for warm homes and a modest rise for councils, "
            "but the fair funding pledge (longer grants, paid on time, with inflation built "
            "in) remains mostly a pledge. We know the pressures on the public purse. We also "
            "know that a one-year grant agreed in May for work that started in April is not a "
            "saving but a cost, paid in staff turnover and lost trust. Elsewhere in this issue "
            "there is plenty to cheer: an energy co-operative paying its first dividend to its "
            "village, a second winter of warm spaces run almost entirely by volunteers, and a "
            "larder co-ordinator whose award is richly deserved. The review of the Community "
            "Empowerment Act is open too. Tell the committee what works and what does not: "
            "they have asked, and this time they seem to mean it."
        ],
        "articles": [
            (
                "Policy",
                "Draft budget: what it means for the sector",
                "The draft budget raises the local government settlement slightly above "
                "inflation and adds new capital for home energy improvements. Cabinet Secretary "
                "Douglas Kerr said it “backs communities to lead”. The detail for third sector "
                "funding, however, will not be known until individual departments publish "
                "their allocations, and several national programmes are listed as “under "
                "review”.",
                [
                    "Sector bodies have until the end of January to respond before the budget "
                    "bill is debated.",
                    "Our reading is that the headline numbers are better than feared, but "
                    "that the small lines which matter most to community groups are still "
                    "uncertain.",
                ],
                ["Douglas Kerr"],
                ["Scottish Government"],
                ["budget", "funding"],
                ("https://www.example.org/draft-budget", "Read the draft budget"),
            ),
            (
                "Funding",
                "Fair funding: a progress check",
                "A year after the government promised fairer funding for the voluntary sector, "
                "a survey of two hundred groups found that fewer than one in ten had a grant "
                "longer than a year, and half had been paid late at least once. Euan Fraser of "
                "the Bothy Foundation said independent funders were moving faster than the "
                "public sector and urged ministers to catch up.",
                [
                    "The survey also found that groups on longer grants were twice as likely to "
                    "have kept their staff through the year.",
                    "The government says a new framework for multi-year grants will be tested "
                    "with two departments from April.",
                ],
                ["Euan Fraser"],
                ["The Bothy Foundation", "Scottish Government"],
                ["funding", "multi-year funding", "fair funding"],
                None,
            ),
            (
                "On the ground",
                "Wind co-op pays its first dividend to the village",
                "A community-owned wind turbine near Glenbrae has paid its first annual "
                "dividend: £38,000 to a village fund, decided on by residents at an open "
                "meeting. The money will insulate the school, run a minibus to the nearest "
                "town and start a fund for young people’s driving lessons. Morven Gillies says "
                "the turbine has “changed the conversation from what we lack to what we own”.",
                [
                    "The turbine was financed with a community share offer and a loan "
                    "arranged through the Community Energy Collective.",
                    "Residents will vote on next year’s projects in the spring.",
                ],
                ["Morven Gillies"],
                ["Glenbrae Development Trust", "Community Energy Collective"],
                ["energy", "community ownership"],
                ("https://energy.example.org/glenbrae-dividend", "See how the fund is spent"),
            ),
            (
                "On the ground",
                "Warm spaces, second winter",
                "Nearly every member of the Clydeside Community Anchors Network is running a "
                "warm space again this winter, most without dedicated funding. A snapshot "
                "survey found the spaces have become something more: places for advice, "
                "homework clubs and company. Chief executive Stuart Lennox says they should be "
                "recognised as part of the local safety net rather than an emergency measure.",
                [
                    "Two thirds of the spaces are run entirely by volunteers, and most rely on "
                    "donated food.",
                    "“Nobody set out to build a new public service,” said Stuart Lennox. “But "
                    "that’s what it has become, and it deserves to be treated as one.”",
                ],
                ["Stuart Lennox"],
                ["Clydeside Community Anchors Network"],
                ["warm spaces", "volunteering"],
                None,
            ),
            (
                "Research",
                "Volunteering is changing, not declining",
                "Fewer people are giving time every week, but more are volunteering in short "
                "bursts around a cause or a crisis, according to a study by the Centre for "
                "Local Futures. Director Niamh O’Connell says organisations built around long "
                "weekly commitments will need to adapt, with smaller, clearer tasks and less "
                "paperwork before someone can help.",
                [
                    "The study draws on interviews with volunteer co-ordinators in forty "
                    "community organisations.",
                    "It recommends that funders pay for volunteer management as a core cost, "
                    "not an extra.",
                ],
                ["Niamh O’Connell"],
                ["Centre for Local Futures"],
                ["volunteering"],
                ("https://localfutures.example.org/volunteering", "Read the study"),
            ),
            (
                "Policy",
                "Community Empowerment Act review opens",
                "Holyrood’s Local Government Committee has opened its review of the Community "
                "Empowerment Act and wants to hear from groups that have used it: to take on a "
                "building, to ask to improve a service, or to buy land. Convener Hamish Ross "
                "said the committee wants “the honest version, including where it hasn’t "
                "worked”. Responses close at the end of February.",
                [
                    "Fiona Baird told the committee the government would publish its own "
                    "analysis of how the act’s rights have been used.",
                    "Groups can respond in writing or by a short video.",
                ],
                ["Hamish Ross", "Fiona Baird"],
                ["Scottish Parliament", "Scottish Government"],
                ["community empowerment", "asset transfer", "legislation"],
                ("https://www.example.org/empowerment-review", "Respond to the review"),
            ),
            (
                "People",
                "Award for larder co-ordinator",
                "Priya Sandhu, co-ordinator of Inverclyde Community Larder, has been named "
                "community leader of the year at a national volunteering ceremony. The judges "
                "praised her work moving the larder onto the high street and her insistence "
                "that people using it are members, not clients. She said the award belongs "
                "“to the twelve people who open the shutters every morning”.",
                [
                    "The larder now has over three hundred members.",
                ],
                ["Priya Sandhu"],
                ["Inverclyde Community Larder"],
                ["food", "awards"],
                None,
            ),
            (
                "Policy",
                "A local democracy pilot in Ayrshire",
                "North Ayrshire Council will hand decisions on some local spending to area "
                "forums made up of residents and community groups, in a two-year pilot. Gordon "
                "Shaw, who leads the council’s participation work, says the forums will have "
                "real budgets and the power to change services, not just advise. Ailsa Munro "
                "MSP said the pilot should be watched closely by ministers.",
                [
                    "The forums will meet in public and publish their decisions online.",
                    "An independent evaluation will report after the first year.",
                ],
                ["Gordon Shaw", "Ailsa Munro"],
                ["North Ayrshire Council", "Scottish Parliament"],
                ["local democracy", "participatory budgeting", "councils"],
                None,
            ),
        ],
    },
]

ABOUT = [
    "The SCA Briefing is a fortnightly round-up of news, policy and practice from Scotland’s "
    "community sector, written by the alliance’s policy team for members and anyone who works "
    "with community organisations.",
    "Each issue has a short leader from the editor and a handful of articles on what "
    "community groups are doing on the ground, what is changing in policy and where funding "
    "is to be found. It is free: sign up below to get it by email.",
]
