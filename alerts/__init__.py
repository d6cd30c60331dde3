"""Alerts: rules over stored articles and events, matched in the transaction that stores
the article, written to an outbox, and delivered through Apprise by a dispatcher.

- :mod:`alerts.rules`: a rule as the store keeps it, and an index that picks the
  candidate rules of an article in a few dictionary lookups;
- :mod:`alerts.facts` and :mod:`alerts.match`: what matching reads, and the pure
  function from an article's facts (plus counts from the store) to matches;
- :mod:`alerts.hook`: the one call from :func:`pipeline.stages.store_page`;
- :mod:`alerts.dispatch`, :mod:`alerts.send`, :mod:`alerts.render`: delivery.
"""
