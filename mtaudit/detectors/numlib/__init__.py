"""Finding the quantities a text states, for the numbers and untranslated detectors: ``quantity`` holds the
``Quantity`` a parser returns and how two quantities agree; ``english`` reads English targets, ``chinese`` Chinese
sources and ``european`` sources in European languages and targets read with a language's ``[numbers]`` table."""
