
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Measurement": [
      "AbsorbanceMeasurement",
      "LeafEnvironmentMeasurement",
      "PamQuickMeasurement",
      "PhotosynthesisMeasurement",
      "SpadMeasurement"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Measurement": [
      "AbsorbanceMeasurement",
      "LeafEnvironmentMeasurement",
      "PamQuickMeasurement",
      "PhotosynthesisMeasurement",
      "SpadMeasurement"
    ]
  }
};
      export default result;
    