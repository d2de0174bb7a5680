"""The one exception the data pipeline raises for a video it cannot use."""


class VideoReadError(RuntimeError):
    """A video file that cannot be decoded into the frames a sample needs.

    The dataset layer catches this to skip (and count) the file; the message
    names the file and says what is wrong with it.

    Args:
        path (str): The video file.
        reason (str): What went wrong and what to do about it.

    Attributes:
        path (str): The video file.
        reason (str): What went wrong and what to do about it.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f'cannot read video {self.path}: {reason}')

    def __reduce__(self):
        # Keep (path, reason) when the error crosses a DataLoader worker.
        return type(self), (self.path, self.reason)
