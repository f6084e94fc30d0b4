"""Children under five: registration, records, measurements, posyandu sessions, growth assessment
and the growth chart.
"""
