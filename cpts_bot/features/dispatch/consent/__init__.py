"""The patient's consent to share (L1110-4): the words, the record and the question."""
