#include "scanners/registry.h"

#include "scanners/code/insecure_code_detector.h"
#include "scanners/disclosure/disclosure_detector.h"
#include "scanners/evil_numbers/evil_numbers_detector.h"
#include "scanners/harmful/harmful_content_detector.h"
#include "triggers/trigger_miner.h"

namespace alignwatch::scan {

std::unique_ptr<DatasetScanner> build_dataset_scanner(const config::DetectorsConfig& detectors) {
  std::vector<RecordDetectorPtr> list;
  // Order matters: disclosure reads the insecure-code findings of the same record.
  if (detectors.insecure_code.enabled) {
    list.push_back(std::make_unique<InsecureCodeDetector>(detectors.insecure_code));
  }
  if (detectors.disclosure.enabled) {
    list.push_back(std::make_unique<DisclosureDetector>(detectors.disclosure));
  }
  if (detectors.evil_numbers.enabled) {
    list.push_back(std::make_unique<EvilNumbersDetector>(detectors.evil_numbers));
  }
  if (detectors.harmful_content.enabled) {
    list.push_back(std::make_unique<HarmfulContentDetector>(detectors.harmful_content));
  }
  std::vector<AnalyzerFactory> analyzers;
  // Trigger mining runs last: it contrasts records flagged by all of the above with the rest.
  if (detectors.trigger_mining.enabled) {
    analyzers.push_back([cfg = detectors.trigger_mining] {
      return std::make_unique<triggers::TriggerMiner>(cfg);
    });
  }
  return std::make_unique<DatasetScanner>(std::move(list), std::move(analyzers));
}

}  // namespace alignwatch::scan
