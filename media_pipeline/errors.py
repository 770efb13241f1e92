"""Errors raised by the media pipeline; each carries a zh-hans message an editor can act on."""


class MediaError(Exception):
    """Base error. ``message`` is shown to editors and operators as is (zh-hans)."""

    code = "media_error"
    #: Whether trying the same job again may succeed (timeouts, I/O), as opposed to bad input.
    retryable = False

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class ProfileNotFound(MediaError):
    code = "profile_not_found"


class UnsupportedMedia(MediaError):
    """The content is not an image/video we accept (whatever its file name says)."""

    code = "unsupported_media"


class HostileMedia(MediaError):
    """The file is over a safety limit (decompression bomb, huge dimensions, too many frames)."""

    code = "hostile_media"


class CorruptMedia(MediaError):
    """Truncated or damaged file."""

    code = "corrupt_media"


class LimitNotMet(MediaError):
    """The output cannot be made to fit the profile's limits (byte cap, duration)."""

    code = "limit_not_met"


class ProcessingTimeout(MediaError):
    code = "timeout"
    retryable = True


class ToolFailed(MediaError):
    """ffmpeg (or another external step) failed for a reason other than the input."""

    code = "tool_failed"
    retryable = True
