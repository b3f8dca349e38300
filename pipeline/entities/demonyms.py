"""Nationality words for the entity layer: "American" -> United States, "European" -> Europe.

Used by `pipeline.entities.grouping`: a nationality word stays a NORP entity of its own and
carries the ISO code of the country it names (`country_code`); a national government
("Canadian Government") stands for its country.
"""

from __future__ import annotations

from functools import lru_cache

from pipeline.entities.gazetteer import Place, find_place

# Place name = its adjectives (the singular forms wire copy writes before a noun). The place
# names are those `find_place` knows; a word shared by two places goes to the one news means.
_TABLE = """
Afghanistan=Afghan; Albania=Albanian; Algeria=Algerian; Andorra=Andorran; Angola=Angolan;
Argentina=Argentine,Argentinian,Argentinean; Armenia=Armenian; Australia=Australian;
Austria=Austrian; Azerbaijan=Azerbaijani; Bahamas=Bahamian; Bahrain=Bahraini;
Bangladesh=Bangladeshi; Barbados=Barbadian; Belarus=Belarusian,Belarussian; Belgium=Belgian;
Belize=Belizean; Benin=Beninese; Bhutan=Bhutanese; Bolivia=Bolivian;
Bosnia and Herzegovina=Bosnian; Botswana=Botswanan; Brazil=Brazilian; Brunei=Bruneian;
Bulgaria=Bulgarian; Burkina Faso=Burkinabe; Burundi=Burundian; Cambodia=Cambodian;
Cameroon=Cameroonian; Canada=Canadian; Cape Verde=Cape Verdean; Chad=Chadian; Chile=Chilean;
China=Chinese; Colombia=Colombian; Comoros=Comoran,Comorian;
Democratic Republic of the Congo=Congolese; Costa Rica=Costa Rican; Croatia=Croatian;
Cuba=Cuban; Cyprus=Cypriot; Czechia=Czech; Denmark=Danish; Djibouti=Djiboutian;
Dominican Republic=Dominican; Ecuador=Ecuadorian,Ecuadorean; Egypt=Egyptian;
El Salvador=Salvadoran,Salvadorean; Equatorial Guinea=Equatoguinean; Eritrea=Eritrean;
Estonia=Estonian; Eswatini=Swazi; Ethiopia=Ethiopian; Fiji=Fijian; Finland=Finnish;
France=French; Gabon=Gabonese; Gambia=Gambian; Georgia=Georgian; Germany=German;
Ghana=Ghanaian; Greece=Greek; Grenada=Grenadian; Guatemala=Guatemalan; Guinea=Guinean;
Guyana=Guyanese; Haiti=Haitian; Honduras=Honduran; Hong Kong=Hongkongese; Hungary=Hungarian;
Iceland=Icelandic; India=Indian; Indonesia=Indonesian; Iran=Iranian; Iraq=Iraqi; Ireland=Irish;
Israel=Israeli; Italy=Italian; Ivory Coast=Ivorian; Jamaica=Jamaican; Japan=Japanese;
Jordan=Jordanian; Kazakhstan=Kazakh,Kazakhstani; Kenya=Kenyan; Kosovo=Kosovar,Kosovan;
Kuwait=Kuwaiti; Kyrgyzstan=Kyrgyz; Laos=Laotian,Lao; Latvia=Latvian; Lebanon=Lebanese;
Lesotho=Basotho; Liberia=Liberian; Libya=Libyan; Liechtenstein=Liechtensteiner;
Lithuania=Lithuanian; Luxembourg=Luxembourgish; Madagascar=Malagasy; Malawi=Malawian;
Malaysia=Malaysian; Maldives=Maldivian; Mali=Malian; Malta=Maltese; Mauritania=Mauritanian;
Mauritius=Mauritian; Mexico=Mexican; Moldova=Moldovan; Monaco=Monegasque;
Mongolia=Mongolian; Montenegro=Montenegrin; Morocco=Moroccan; Mozambique=Mozambican;
Myanmar=Burmese; Namibia=Namibian; Nepal=Nepali,Nepalese; Netherlands=Dutch;
New Zealand=New Zealander; Nicaragua=Nicaraguan; Niger=Nigerien; Nigeria=Nigerian;
North Korea=North Korean; North Macedonia=Macedonian; Norway=Norwegian; Oman=Omani;
Pakistan=Pakistani; Palestinian Territories=Palestinian; Panama=Panamanian;
Papua New Guinea=Papua New Guinean; Paraguay=Paraguayan; Peru=Peruvian;
Philippines=Filipino,Philippine; Poland=Polish; Portugal=Portuguese; Puerto Rico=Puerto Rican;
Qatar=Qatari; Romania=Romanian; Russia=Russian; Rwanda=Rwandan; Samoa=Samoan;
San Marino=Sammarinese; Saudi Arabia=Saudi,Saudi Arabian; Senegal=Senegalese;
Serbia=Serbian,Serb; Seychelles=Seychellois; Sierra Leone=Sierra Leonean;
Singapore=Singaporean; Slovakia=Slovak,Slovakian; Slovenia=Slovenian,Slovene;
Somalia=Somali; South Africa=South African; South Korea=South Korean;
South Sudan=South Sudanese; Spain=Spanish; Sri Lanka=Sri Lankan; Sudan=Sudanese;
Suriname=Surinamese; Sweden=Swedish; Switzerland=Swiss; Syria=Syrian; Taiwan=Taiwanese;
Tajikistan=Tajik; Tanzania=Tanzanian; Thailand=Thai; Togo=Togolese; Tonga=Tongan;
Trinidad and Tobago=Trinidadian; Tunisia=Tunisian; Turkey=Turkish; Turkmenistan=Turkmen;
Uganda=Ugandan; Ukraine=Ukrainian; United Arab Emirates=Emirati; United Kingdom=British;
United States=American; Uruguay=Uruguayan; Uzbekistan=Uzbek; Vanuatu=Vanuatuan;
Venezuela=Venezuelan; Vietnam=Vietnamese; Yemen=Yemeni; Zambia=Zambian; Zimbabwe=Zimbabwean;
Africa=African; Asia=Asian; Europe=European; North America=North American;
South America=South American; Latin America=Latin American; Middle East=Middle Eastern
"""

# Nouns for one person of a nation, where they are not the adjective ("a Briton", "two Danes").
_NOUNS = """
United Kingdom=Briton; Denmark=Dane; Sweden=Swede; Finland=Finn; Poland=Pole; Turkey=Turk;
Spain=Spaniard; Netherlands=Dutchman,Dutchwoman; France=Frenchman,Frenchwoman;
Ireland=Irishman,Irishwoman
"""


def find_demonym(text: str) -> Place | None:
    """The country or continent a nationality adjective names ("Canadian" -> Canada), or None.
    Case-sensitive and whole-word: "Americans" (people) and "american" name no place."""
    return _demonyms().get(text)


def government_of(text: str) -> Place | None:
    """The country whose government a capitalised name is ("Canadian Government", "United
    States Government"), or None: a national government stands for its country."""
    who = text.removesuffix(" Government")
    if who == text:
        return None
    place = find_place(who) or find_demonym(who)
    return place if place is not None and place.kind == "country" else None


def country_code(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code of the country a nationality word names, adjective or noun,
    singular or plural ("Danish", "Danes", "Americans" -> "DK", "DK", "US"), or None (a
    continent, a religion, a party)."""
    place = _demonyms().get(text) or _nouns().get(text)
    if place is None and text.endswith("s"):
        place = _demonyms().get(text[:-1]) or _nouns().get(text[:-1])
    if place is None and text.endswith("men"):  # "Frenchmen", "Dutchmen"
        place = _nouns().get(text[:-3] + "man")
    if place is None or not place.code:
        return None
    return place.code


def nationality_words() -> frozenset[str]:
    """Every nationality word the tables resolve, adjectives and nouns for one person."""
    return frozenset((*_demonyms(), *_nouns()))


def demonym_count() -> int:
    """How many adjectives the table resolves (for tests and docs)."""
    return len(_demonyms())


@lru_cache(maxsize=1)
def _demonyms() -> dict[str, Place]:
    return _read(_TABLE)


@lru_cache(maxsize=1)
def _nouns() -> dict[str, Place]:
    return _read(_NOUNS)


def _read(table: str) -> dict[str, Place]:
    """Word -> place for a "Place=word,word; ..." table; places the gazetteer lacks are left out."""
    out: dict[str, Place] = {}
    for entry in table.split(";"):
        name, _, words = entry.strip().partition("=")
        place = find_place(name)
        if place is None:
            continue
        for word in words.split(","):
            if word.strip() and word.strip() != place.name:
                out[word.strip()] = place
    return out
