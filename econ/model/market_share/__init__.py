"""Market shares: where telecom-equipment vendors' shares move under bans, alignments and chip limits
(a stage of the linked model, :mod:`econ.model.world`; it reads Huawei's chip supply).

1. **Base year 2019** (:mod:`~econ.model.market_share.base_year`): vendor shares by region fitted to Dell'Oro's world
   shares; national markets inherit them; each market's spending splits into network parts.
2. **Spending** grows at ``market_growth`` with a 5G wave per region peaking two years after launch
   (Russia's wave follows the shared ``russia_5g_launch_year``); China, its own market
   (:mod:`~econ.model.market_share.china`), follows its three operators' 5G and other capex for 2019-2022, then
   the trend. Each draw takes one of several base-year fits at regional weights spread over their ranges.
3. **New contracts** are shared by a nested logit (:mod:`~econ.model.market_share.choice`) in each market and part:
   * a ban takes its vendors out of the choice set for the parts it names, from its year;
   * outside China, buyers of radio networks move Huawei's and ZTE's attractiveness by the response
     to restrictions :mod:`~econ.model.market_share.ban_response` estimates by difference-in-differences on
     European countries' Chinese radio shares (drawn from its sampling distribution), times
     ``sanctions_penalty_scale``, from the rule's year: measured with untreated countries as
     controls, not assumed, and applied only to the part it was measured on;
   * China's radio contracts follow its 2020 national 5G tenders' shares from 2020; from 2021 its
     operators mark Western vendors down by the shift estimated from the 2021 tenders, times
     ``china_response_scale`` (:mod:`~econ.model.market_share.china`);
   * a vendor that leaves a market (``vendor_exits``) is out of its choice set from its year, like
     a banned one, its kit replaced by a deadline or left to age out;
   * Huawei gains ``russia_huawei_alignment`` in Russia from 2020 and changes by
     ``russia_huawei_pullback`` from ``russia_huawei_pullback_from`` (its 2022 retreat); ZTE, under
     the same secondary-sanction risk, makes ``russia_zte_pullback_share`` of that pull-back;
   * in the rest of the world (Latin America, Middle East, Africa), Huawei's attractiveness moves
     by ``emerging_markets_spillover`` times its gain in Russia's share of new contracts since
     2019, a year earlier (a declared link; zero unless a scenario sets it); the shared Russian-made target
     path (``russian_made_target`` times ``russia_domestic_capability``) reserves Russian contracts
     for Russian-made kit;
   * each named vendor's attractiveness also drifts by a random walk of its own, as shares did
     before the rules (:mod:`~econ.model.market_share.drift`): the part of a share's change no policy explains;
   * Huawei delivers at most its chip supply (from :mod:`econ.model.chip_supply`) times what it would
     sell without the rules (base shares times spending): when demand exceeds that, each market
     gets the same fraction of its Huawei orders and the rest goes to the other vendors there in
     proportion to their shares. So a Russian pivot is bounded by Huawei's chips;
   * in Russia no vendor's deliveries grow by more than ``russia_supplier_growth_limit`` a year:
     when Western vendors leave, their orders pass to the vendors still selling only as far as those
     can deliver, the leavers' kit still arriving through third countries fills up to
     ``russia_grey_import_share`` of each one's last year of deliveries, and the rest is not
     installed that year (``russia_shortfall``, which the investment stage takes out of the
     operators' capex).
4. **Installed base** turns over at 1/``equipment_life_years``; a ban with ``remove_by`` removes
   the vendors' installed kit in its parts in equal steps, and that replacement is extra spending
   won by others (the removed value is passed to the investment stage's rip-and-replace).

Shares of new contracts within a market and part depend only on the region, the year and which
vendors may bid, so they are computed once per distinct *situation*, not per market: that and
vectorising over draws is what makes 100,000 draws cheap.
"""

from econ.model.market_share import model
from econ.model.market_share.base_year import BASE_YEAR, REGIONS
from econ.model.market_share.declaration import (
    DECLARATION,
    END_YEAR,
    FOREIGN_EXCLUDED,
    GROUPS,
    RANK_YEAR,
    SHARE_METRICS,
    YEARS,
)
from econ.model.market_share.layout import Layout, first_year, removal_years, restrictions, situations
from econ.model.market_share.model import simulate, spend_index, world_totals
from econ.model.market_share.results import MarketShares
from econ.model.stage import Stage

STAGE = Stage(DECLARATION, check=model.check, evaluate=model.evaluate, assess=model.assess,
              assess_light=model.assess_light, draw_inputs=model.draw_inputs, central_inputs=model.central_inputs,
              against=model.against)

__all__ = ["BASE_YEAR", "END_YEAR", "FOREIGN_EXCLUDED", "GROUPS", "RANK_YEAR", "REGIONS", "SHARE_METRICS", "STAGE",
           "YEARS", "Layout", "MarketShares", "first_year", "removal_years", "restrictions", "simulate", "situations",
           "spend_index", "world_totals"]
