"""placeholder"""
from mtaudit.detectors.base import Detector
class NamesSourceDetector(Detector):
    name = "names_src"
    def detect(self, doc):
        return []
