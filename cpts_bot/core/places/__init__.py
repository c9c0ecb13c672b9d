"""The kernel's places: communes, their forms and codes, the resolver and the index."""
