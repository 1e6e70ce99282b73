"""`Layer`: a Litestar router made for one app and registered once, handed over without a copy."""

from __future__ import annotations

from litestar import Router


class Layer(Router):
    """Litestar deep-copies every router it registers (so that one router may serve two apps): every handler,
    controller and setting below it, a third of the time `create_app` took (some 70 ms, and the tests make
    hundreds of apps). The app's routers are made by `create_app` for that app alone, so this one is handed
    over as it is."""

    def __deepcopy__(self, memo: dict[int, object]) -> Layer:
        return self
