"""organization"""
