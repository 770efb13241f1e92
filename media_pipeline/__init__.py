"""media_pipeline: channel variants of images and video (a leaf app; it imports nothing of the project).

The pure core (``profiles``, ``imaging``, ``video``, ``compose``) needs no Django; ``services``,
``models``, ``tasks`` and ``wagtail_hooks`` integrate it with Wagtail images and background tasks.
"""
