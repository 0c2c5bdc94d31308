"""Publishing the graph: dumps, CSV tables with CSVW, DCAT-AP.de and VoID, written atomically."""
